import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { RedemptionCancelled, VoucherExpired, VoucherRedeemed, VoucherVoided } from '@app/contracts';
import { ConsumedEvent, OnEvent } from '@app/messaging';
import { PassEventPayload, PassPostingsService } from '../ledger/pass-postings.service';

/** Pass events move money: consecutive events of a partition are posted at once. */
@Controller()
export class RedemptionEventsConsumer {
  constructor(private readonly postings: PassPostingsService) {}

  @OnEvent(VoucherRedeemed, RedemptionCancelled, VoucherVoided, VoucherExpired)
  onPassEvents(@Payload() events: Array<ConsumedEvent<PassEventPayload>>): Promise<void> {
    return this.postings.onPassEvents(events.map(({ envelope }) => envelope));
  }
}
