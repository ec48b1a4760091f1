import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  RedemptionCancelled,
  VoucherExpired,
  VoucherRedeemed,
  VoucherVoided,
  VoucherVoidedV1,
  VoucherVoidRejected,
  VoucherVoidRejectedV1,
} from '@app/contracts';
import { ConsumedEvent, eachEvent, OnEvent } from '@app/messaging';
import { PassOutcomesService, StatusOnlyOutcome } from '../pass-outcomes/pass-outcomes.service';

@Controller()
export class RedemptionEventsConsumer {
  constructor(private readonly outcomes: PassOutcomesService) {}

  /** The outcomes that only set a pass's status: consecutive ones of a partition at once. */
  @OnEvent(VoucherRedeemed, RedemptionCancelled, VoucherExpired)
  onStatusOutcomes(@Payload() events: Array<ConsumedEvent<StatusOnlyOutcome>>): Promise<void> {
    return this.outcomes.recordStatuses(events.map(({ envelope }) => envelope));
  }

  @OnEvent(VoucherVoided)
  onVoucherVoided(@Payload() events: Array<ConsumedEvent<VoucherVoidedV1>>): Promise<void> {
    return eachEvent(events, ({ payload }) => this.outcomes.recordVoided(payload));
  }

  @OnEvent(VoucherVoidRejected)
  onVoucherVoidRejected(@Payload() events: Array<ConsumedEvent<VoucherVoidRejectedV1>>): Promise<void> {
    return eachEvent(events, ({ payload }) => this.outcomes.recordVoidRejected(payload));
  }
}
