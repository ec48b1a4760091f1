import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { BookletIssued, BookletIssuedV1, EventEnvelope, VoucherVoidRequested, VoucherVoidRequestedV1 } from '@app/contracts';
import { BatchedEvent, OnEvent, OnEventBatch } from '@app/messaging';
import { PassesService } from '../passes/passes.service';

@Controller()
export class IssuanceEventsConsumer {
  constructor(private readonly passes: PassesService) {}

  @OnEvent(BookletIssued)
  onBookletIssued(@Payload() event: EventEnvelope<BookletIssuedV1>): Promise<void> {
    return this.passes.recordIssued([event.payload]);
  }

  /** Consecutive booklets of a partition (an order of several booklets) in one statement. */
  @OnEventBatch(BookletIssued)
  onBookletsIssued(@Payload() events: Array<BatchedEvent<BookletIssuedV1>>): Promise<void> {
    return this.passes.recordIssued(events.map(({ envelope }) => envelope.payload));
  }

  @OnEvent(VoucherVoidRequested)
  onVoidRequested(@Payload() event: EventEnvelope<VoucherVoidRequestedV1>): Promise<void> {
    return this.passes.answerVoidRequest(event.payload);
  }
}
