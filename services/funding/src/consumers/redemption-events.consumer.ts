import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { EventEnvelope, RedemptionCancelled, VoucherExpired, VoucherRedeemed, VoucherVoided } from '@app/contracts';
import { BatchedEvent, OnEvent, OnEventBatch } from '@app/messaging';
import { PassEventPayload, PassPostingsService } from '../ledger/pass-postings.service';

const PASS_EVENTS = [VoucherRedeemed, RedemptionCancelled, VoucherVoided, VoucherExpired] as const;

/** Pass events move money: one alone, or consecutive events of a partition at once. */
@Controller()
export class RedemptionEventsConsumer {
  constructor(private readonly postings: PassPostingsService) {}

  @OnEvent(...PASS_EVENTS)
  onPassEvent(@Payload() event: EventEnvelope<PassEventPayload>): Promise<void> {
    return this.postings.onPassEvents([event]);
  }

  @OnEventBatch(...PASS_EVENTS)
  onPassEvents(@Payload() events: Array<BatchedEvent<PassEventPayload>>): Promise<void> {
    return this.postings.onPassEvents(events.map(({ envelope }) => envelope));
  }
}
