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
} from '@app/contracts';
import { OnEvent } from '@app/messaging';
import { PassPostingsService } from '../ledger/pass-postings.service';

@Controller()
export class RedemptionEventsConsumer {
  constructor(private readonly postings: PassPostingsService) {}

  @OnEvent(VoucherRedeemed)
  onRedeemed(@Payload() event: EventEnvelope<VoucherRedeemedV1>): Promise<void> {
    return this.postings.onPassEvent(event);
  }

  @OnEvent(RedemptionCancelled)
  onCancelled(@Payload() event: EventEnvelope<RedemptionCancelledV1>): Promise<void> {
    return this.postings.onPassEvent(event);
  }

  @OnEvent(VoucherVoided)
  onVoided(@Payload() event: EventEnvelope<VoucherVoidedV1>): Promise<void> {
    return this.postings.onPassEvent(event);
  }

  @OnEvent(VoucherExpired)
  onExpired(@Payload() event: EventEnvelope<VoucherExpiredV1>): Promise<void> {
    return this.postings.onPassEvent(event);
  }
}
