import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { AgencyRegistered, AgencyRegisteredV1, EventEnvelope } from '@app/contracts';
import { OnEvent } from '@app/messaging';
import { KnownAgenciesService } from '../agencies/known-agencies.service';

@Controller()
export class IssuanceEventsConsumer {
  constructor(private readonly agencies: KnownAgenciesService) {}

  @OnEvent(AgencyRegistered)
  onAgencyRegistered(@Payload() event: EventEnvelope<AgencyRegisteredV1>): Promise<void> {
    return this.agencies.recordRegistered(event.payload);
  }
}
