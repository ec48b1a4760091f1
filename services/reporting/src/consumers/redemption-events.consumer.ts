import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  EventEnvelope,
  RedemptionCancelled,
  SiteAccreditationRevoked,
  SiteAccredited,
  SiteRegistered,
  SiteReinstated,
  SiteSuspended,
  SiteUpdated,
  VoucherExpired,
  VoucherRedeemed,
  VoucherVoidRejected,
  VoucherVoided,
} from '@app/contracts';
import { BatchedEvent, EventContext, OnEvent, OnEventBatch } from '@app/messaging';
import { ProjectionService } from '../projection/projection.service';

/** Every redemption event feeds the read models or the audit trail. */
const PROJECTED = [SiteRegistered, SiteUpdated, SiteAccredited, SiteSuspended, SiteReinstated, SiteAccreditationRevoked, VoucherRedeemed, RedemptionCancelled, VoucherVoided, VoucherVoidRejected, VoucherExpired] as const;

/**
 * Consecutive events of a partition are applied at once (ProjectionBatch, a
 * few statements per table); a lone event, or each event of a batch the
 * projection refused, one at a time.
 */
@Controller()
export class RedemptionEventsConsumer {
  constructor(private readonly projection: ProjectionService) {}

  @OnEvent(...PROJECTED)
  onEvent(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEventBatch(...PROJECTED)
  onEvents(@Payload() events: BatchedEvent[]): Promise<void> {
    return this.projection.applyLiveBatch(events);
  }
}
