import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
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
import { ConsumedEvent, eachEvent, OnEvent } from '@app/messaging';
import { PayeesService } from '../payees/payees.service';

@Controller()
export class SiteEventsConsumer {
  constructor(private readonly payees: PayeesService) {}

  @OnEvent(SiteRegistered, SiteUpdated)
  onDetails(@Payload() events: Array<ConsumedEvent<SiteRegisteredV1>>): Promise<void> {
    return eachEvent(events, ({ payload }) => this.payees.recordDetails(payload));
  }

  @OnEvent(SiteAccredited)
  onAccredited(@Payload() events: Array<ConsumedEvent<SiteAccreditedV1>>): Promise<void> {
    return eachEvent(events, ({ payload }) => this.payees.recordStatus(payload.siteId, 'accredited'));
  }

  @OnEvent(SiteSuspended)
  onSuspended(@Payload() events: Array<ConsumedEvent<SiteAccreditationDecisionV1>>): Promise<void> {
    return eachEvent(events, ({ payload }) => this.payees.recordStatus(payload.siteId, 'suspended'));
  }

  @OnEvent(SiteReinstated)
  onReinstated(@Payload() events: Array<ConsumedEvent<SiteAccreditationDecisionV1>>): Promise<void> {
    return eachEvent(events, ({ payload }) => this.payees.recordStatus(payload.siteId, 'accredited'));
  }

  @OnEvent(SiteAccreditationRevoked)
  onRevoked(@Payload() events: Array<ConsumedEvent<SiteAccreditationDecisionV1>>): Promise<void> {
    return eachEvent(events, ({ payload }) => this.payees.recordStatus(payload.siteId, 'revoked'));
  }
}
