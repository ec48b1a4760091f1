import { Logger } from '@nestjs/common';
import type { LogEntry } from 'kafkajs';
import { Kafka, logLevel } from 'kafkajs';
import type { MessagingOptions } from '../messaging.options';

/**
 * Expected and handled, so not worth an error line: services create topics
 * concurrently at start (and ensureTopics checks the outcome); the relay
 * bounds producer retries on purpose (a failed batch is republished from the
 * outbox, and consumers' inboxes drop what was already delivered).
 */
const BENIGN = ['Topic creation errors', 'Limiting retries for the idempotent producer'];

/** kafkajs speaks through the service's logger; it is kept behind this library so it can be swapped. */
function logCreator(service: string) {
  const logger = new Logger(`kafka:${service}`);
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      const line = `${message} ${JSON.stringify(extra)}`;
      if (BENIGN.some((benign) => line.includes(benign))) logger.debug(line);
      else if (level === logLevel.ERROR) logger.error(line);
      else if (level === logLevel.WARN) logger.warn(line);
      else logger.debug(line);
    };
}

export function createKafka(options: MessagingOptions, role: string): Kafka {
  return new Kafka({
    clientId: `${options.topicPrefix}${options.service}-${role}`,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator: logCreator(options.service),
    connectionTimeout: 3000,
    retry: { initialRetryTime: 200, retries: 8 },
  });
}
