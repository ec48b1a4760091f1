import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { BookletIssued, BookletIssuedV1, VoucherVoidRequested, VoucherVoidRequestedV1 } from '@app/contracts';
import { ConsumedEvent, eachEvent, OnEvent } from '@app/messaging';
import { PassesService } from '../passes/passes.service';

@Controller()
export class IssuanceEventsConsumer {
  constructor(private readonly passes: PassesService) {}

  /** Consecutive booklets of a partition (an order of several booklets) in one statement. */
  @OnEvent(BookletIssued)
  onBookletsIssued(@Payload() events: Array<ConsumedEvent<BookletIssuedV1>>): Promise<void> {
    return this.passes.recordIssued(events.map(({ envelope }) => envelope.payload));
  }

  @OnEvent(VoucherVoidRequested)
  onVoidRequested(@Payload() events: Array<ConsumedEvent<VoucherVoidRequestedV1>>): Promise<void> {
    return eachEvent(events, ({ payload }) => this.passes.answerVoidRequest(payload));
  }
}
