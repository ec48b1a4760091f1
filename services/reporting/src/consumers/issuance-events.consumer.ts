import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { AgencyRegistered, AllocationReleased, BookletIssued, EventEnvelope, VoucherVoidRequested } from '@app/contracts';
import { EventContext, OnEvent } from '@app/messaging';
import { ProjectionService } from '../projection/projection.service';

/** Every issuance event feeds the read models or the audit trail. */
@Controller()
export class IssuanceEventsConsumer {
  constructor(private readonly projection: ProjectionService) {}

  @OnEvent(AgencyRegistered)
  onAgencyRegistered(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEvent(BookletIssued)
  onBookletIssued(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEvent(VoucherVoidRequested)
  onVoidRequested(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEvent(AllocationReleased)
  onAllocationReleased(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }
}
