import { ServiceName } from '@app/contracts';

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
  };
  consumer: {
    /** Attempts before a message goes to the dead-letter topic. */
    maxAttempts: number;
    retryDelayMs: number;
    partitionsConsumedConcurrently: number;
  };
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export function prefixed(options: Pick<MessagingOptions, 'topicPrefix'>, name: string): string {
  return `${options.topicPrefix}${name}`;
}
