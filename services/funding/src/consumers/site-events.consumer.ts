import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  EventEnvelope,
  SiteAccreditationDecisionV1,
  SiteAccreditationRevoked,
  SiteAccredited,
  SiteAccreditedV1,
  SiteRegistered,
  SiteRegisteredV1,
  SiteReinstated,
  SiteSuspended,
  SiteUpdated,
} from '@app/contracts';
import { OnEvent } from '@app/messaging';
import { PayeesService } from '../payees/payees.service';

@Controller()
export class SiteEventsConsumer {
  constructor(private readonly payees: PayeesService) {}

  @OnEvent(SiteRegistered)
  onRegistered(@Payload() event: EventEnvelope<SiteRegisteredV1>): Promise<void> {
    return this.payees.recordDetails(event.payload);
  }

  @OnEvent(SiteUpdated)
  onUpdated(@Payload() event: EventEnvelope<SiteRegisteredV1>): Promise<void> {
    return this.payees.recordDetails(event.payload);
  }

  @OnEvent(SiteAccredited)
  onAccredited(@Payload() event: EventEnvelope<SiteAccreditedV1>): Promise<void> {
    return this.payees.recordStatus(event.payload.siteId, 'accredited');
  }

  @OnEvent(SiteSuspended)
  onSuspended(@Payload() event: EventEnvelope<SiteAccreditationDecisionV1>): Promise<void> {
    return this.payees.recordStatus(event.payload.siteId, 'suspended');
  }

  @OnEvent(SiteReinstated)
  onReinstated(@Payload() event: EventEnvelope<SiteAccreditationDecisionV1>): Promise<void> {
    return this.payees.recordStatus(event.payload.siteId, 'accredited');
  }

  @OnEvent(SiteAccreditationRevoked)
  onRevoked(@Payload() event: EventEnvelope<SiteAccreditationDecisionV1>): Promise<void> {
    return this.payees.recordStatus(event.payload.siteId, 'revoked');
  }
}
