import type { ServiceName } from './services';

/**
 * Topic names, declared once. One topic per producing service; the Kafka key is
 * the aggregate id so one aggregate's events stay in order.
 * At run time a prefix (KAFKA_TOPIC_PREFIX) may be prepended, which isolates
 * test runs and environments sharing one cluster.
 */
export const Topics = {
  issuance: 'pass.issuance.events',
  redemption: 'pass.redemption.events',
  funding: 'pass.funding.events',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

/** Partitions bound consumer parallelism: one consumer per partition at most. */
export const EVENT_TOPIC_PARTITIONS = 6;
export const DEAD_LETTER_TOPIC_PARTITIONS = 1;

/** Each consuming service has its own dead-letter topic. */
export function deadLetterTopicOf(consumer: ServiceName): string {
  return `pass.${consumer}.dead-letters`;
}
