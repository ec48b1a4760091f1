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
  VoucherVoided,
  VoucherVoidRejected,
} from '@app/contracts';
import { EventContext, OnEvent } from '@app/messaging';
import { ProjectionService } from '../projection/projection.service';

/** Every redemption event feeds the read models or the audit trail. */
@Controller()
export class RedemptionEventsConsumer {
  constructor(private readonly projection: ProjectionService) {}

  @OnEvent(SiteRegistered)
  onSiteRegistered(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEvent(SiteUpdated)
  onSiteUpdated(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEvent(SiteAccredited)
  onSiteAccredited(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEvent(SiteSuspended)
  onSiteSuspended(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEvent(SiteReinstated)
  onSiteReinstated(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEvent(SiteAccreditationRevoked)
  onSiteRevoked(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEvent(VoucherRedeemed)
  onRedeemed(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEvent(RedemptionCancelled)
  onCancelled(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEvent(VoucherVoided)
  onVoided(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEvent(VoucherVoidRejected)
  onVoidRejected(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEvent(VoucherExpired)
  onExpired(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }
}
