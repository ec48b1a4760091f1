import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  EventEnvelope,
  RedemptionCancelled,
  VoucherExpired,
  VoucherRedeemed,
  VoucherVoided,
  VoucherVoidedV1,
  VoucherVoidRejected,
  VoucherVoidRejectedV1,
} from '@app/contracts';
import { BatchedEvent, OnEvent, OnEventBatch } from '@app/messaging';
import { PassOutcomesService, StatusOnlyOutcome } from '../pass-outcomes/pass-outcomes.service';

/** The outcomes that only set a pass's status: consecutive ones of a partition go at once. */
const STATUS_OUTCOMES = [VoucherRedeemed, RedemptionCancelled, VoucherExpired] as const;

@Controller()
export class RedemptionEventsConsumer {
  constructor(private readonly outcomes: PassOutcomesService) {}

  @OnEvent(...STATUS_OUTCOMES)
  onStatusOutcome(@Payload() event: EventEnvelope<StatusOnlyOutcome>): Promise<void> {
    return this.outcomes.recordStatus(event);
  }

  @OnEventBatch(...STATUS_OUTCOMES)
  onStatusOutcomes(@Payload() events: Array<BatchedEvent<StatusOnlyOutcome>>): Promise<void> {
    return this.outcomes.recordStatuses(events.map(({ envelope }) => envelope));
  }

  @OnEvent(VoucherVoided)
  onVoucherVoided(@Payload() event: EventEnvelope<VoucherVoidedV1>): Promise<void> {
    return this.outcomes.recordVoided(event.payload);
  }

  @OnEvent(VoucherVoidRejected)
  onVoucherVoidRejected(@Payload() event: EventEnvelope<VoucherVoidRejectedV1>): Promise<void> {
    return this.outcomes.recordVoidRejected(event.payload);
  }
}
