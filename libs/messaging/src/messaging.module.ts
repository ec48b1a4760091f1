import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EventProcessor } from './consuming/event-processor';
import { KafkaEventServer } from './consuming/kafka-event.server';
import { DeadLetterRepository } from './dead-letters/dead-letter.repository';
import { InboxRepository } from './inbox/inbox.repository';
import { TopicAdmin } from './kafka/topic-admin';
import { MessagingMetrics } from './messaging.metrics';
import { MESSAGING_OPTIONS, MessagingOptions } from './messaging.options';
import { MessagingStatus } from './messaging.status';
import { EventPublisher } from './outbox/event-publisher';
import { OutboxRelay } from './outbox/outbox-relay';
import { OutboxRepository } from './outbox/outbox.repository';
import { TopicReplayer } from './replay/topic-replayer';

@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      imports: [TerminusModule],
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        MessagingMetrics,
        TopicAdmin,
        OutboxRepository,
        InboxRepository,
        DeadLetterRepository,
        OutboxRelay,
        EventPublisher,
        EventProcessor,
        KafkaEventServer,
        MessagingStatus,
        TopicReplayer,
      ],
      exports: [
        MESSAGING_OPTIONS,
        EventPublisher,
        KafkaEventServer,
        MessagingStatus,
        TopicAdmin,
        TopicReplayer,
        DeadLetterRepository,
      ],
    };
  }
}
