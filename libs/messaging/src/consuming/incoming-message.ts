import { BaseRpcContext } from '@nestjs/microservices';
import type { EventEnvelope } from '@app/contracts';

/** A Kafka record as the consumer received it, before any parsing. */
export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
}

/** What a handler may ask about the message it is applying (`@Ctx()`). */
export class EventContext extends BaseRpcContext<[IncomingMessage]> {
  get message(): IncomingMessage {
    return this.getArgByIndex(0);
  }
}

/** One event of a batch given to an `@OnEventBatch` handler, in partition order. */
export interface BatchedEvent<P extends object = Record<string, unknown>> {
  envelope: EventEnvelope<P>;
  message: IncomingMessage;
}
