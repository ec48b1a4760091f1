import type { ServiceName } from '@app/contracts';

export interface MessagingOptions {
  service: ServiceName;
  brokers: string[];
  /** Prepended to every topic and consumer group: isolates test runs and environments on one cluster. */
  topicPrefix: string;
  relay: {
    /** An instance may leave relaying to others (e.g. a dedicated relay instance). */
    enabled: boolean;
    pollIntervalMs: number;
    batchSize: number;
    /**
     * Once woken by a commit, how long to let other commits gather before
     * reading the outbox: each publication costs a transaction and a Kafka
     * request, whatever the number of messages it carries.
     */
    lingerMs: number;
  };
  consumer: {
    /** Attempts before a message goes to the dead-letter topic. */
    maxAttempts: number;
    retryDelayMs: number;
    /** How long an event may wait for its cause (a handler's AwaitingCause), its partition paused, before it is dead-lettered. */
    awaitCauseMs: number;
    partitionsConsumedConcurrently: number;
    /**
     * Consecutive messages of a partition applied in one transaction: one
     * commit and one offset commit for all of them. A failing message makes
     * its batch roll back and be applied again one message at a time.
     */
    batchSize: number;
  };
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export function prefixed(options: Pick<MessagingOptions, 'topicPrefix'>, name: string): string {
  return `${options.topicPrefix}${name}`;
}
