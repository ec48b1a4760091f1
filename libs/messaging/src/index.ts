export * from './messaging.options';
export * from './messaging.module';
export * from './messaging.status';
export * from './messaging-tables.migration';
export * from './dead-letter-resolution.migration';
export * from './outbox/outbox-message.entity';
export * from './outbox/event-publisher';
export * from './outbox/outbox-relay';
export * from './inbox/inbox-record.entity';
export * from './dead-letters/dead-letter.entity';
export * from './dead-letters/dead-letter.repository';
export * from './consuming/on-event.decorator';
export * from './consuming/incoming-message';
export * from './consuming/awaiting-cause';
export * from './consuming/apply-in-halves';
export * from './consuming/kafka-event.server';
export * from './consuming/rethrow-rpc-errors.filter';
export * from './kafka/topic-admin';

import { DeadLetter } from './dead-letters/dead-letter.entity';
import { InboxRecord } from './inbox/inbox-record.entity';
import { OutboxMessage } from './outbox/outbox-message.entity';

/** Entities every service registers with its DataSource. */
export const MESSAGING_ENTITIES = [OutboxMessage, InboxRecord, DeadLetter];
export * from './replay/topic-replayer';
