import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  AgencyRegistered,
  AgencyRegisteredV1,
  AllocationReleased,
  AllocationReleasedV1,
  BookletIssued,
  BookletIssuedV1,
} from '@app/contracts';
import { ConsumedEvent, eachEvent, OnEvent } from '@app/messaging';
import { KnownAgenciesService } from '../agencies/known-agencies.service';
import { AllocationsService } from '../allocations/allocations.service';
import { PassPostingsService } from '../ledger/pass-postings.service';

@Controller()
export class IssuanceEventsConsumer {
  constructor(
    private readonly agencies: KnownAgenciesService,
    private readonly allocations: AllocationsService,
    private readonly postings: PassPostingsService,
  ) {}

  @OnEvent(AgencyRegistered)
  onAgencyRegistered(@Payload() events: Array<ConsumedEvent<AgencyRegisteredV1>>): Promise<void> {
    return eachEvent(events, ({ payload }) => this.agencies.recordRegistered(payload));
  }

  /** Consecutive booklets of a partition (an order of several booklets) are posted at once. */
  @OnEvent(BookletIssued)
  onBookletsIssued(@Payload() events: Array<ConsumedEvent<BookletIssuedV1>>): Promise<void> {
    return this.postings.onBookletsIssued(events.map(({ envelope }) => envelope));
  }

  @OnEvent(AllocationReleased)
  onAllocationReleased(@Payload() events: Array<ConsumedEvent<AllocationReleasedV1>>): Promise<void> {
    return eachEvent(events, ({ payload }) => this.allocations.onReleased(payload));
  }
}
