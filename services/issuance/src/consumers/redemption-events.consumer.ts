import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  EventEnvelope,
  RedemptionCancelled,
  RedemptionCancelledV1,
  VoucherExpired,
  VoucherExpiredV1,
  VoucherRedeemed,
  VoucherRedeemedV1,
  VoucherVoided,
  VoucherVoidedV1,
  VoucherVoidRejected,
  VoucherVoidRejectedV1,
} from '@app/contracts';
import { OnEvent } from '@app/messaging';
import { PassOutcomesService } from '../pass-outcomes/pass-outcomes.service';

@Controller()
export class RedemptionEventsConsumer {
  constructor(private readonly outcomes: PassOutcomesService) {}

  @OnEvent(VoucherRedeemed)
  onVoucherRedeemed(@Payload() event: EventEnvelope<VoucherRedeemedV1>): Promise<void> {
    return this.outcomes.recordRedeemed(event.payload);
  }

  @OnEvent(RedemptionCancelled)
  onRedemptionCancelled(@Payload() event: EventEnvelope<RedemptionCancelledV1>): Promise<void> {
    return this.outcomes.recordRedemptionCancelled(event.payload);
  }

  @OnEvent(VoucherVoided)
  onVoucherVoided(@Payload() event: EventEnvelope<VoucherVoidedV1>): Promise<void> {
    return this.outcomes.recordVoided(event.payload);
  }

  @OnEvent(VoucherVoidRejected)
  onVoucherVoidRejected(@Payload() event: EventEnvelope<VoucherVoidRejectedV1>): Promise<void> {
    return this.outcomes.recordVoidRejected(event.payload);
  }

  @OnEvent(VoucherExpired)
  onVoucherExpired(@Payload() event: EventEnvelope<VoucherExpiredV1>): Promise<void> {
    return this.outcomes.recordExpired(event.payload);
  }
}
