import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { AgencyRegistered, AgencyRegisteredV1, AllocationReleased, AllocationReleasedV1, BookletIssued, BookletIssuedV1, EventEnvelope } from '@app/contracts';
import { BatchedEvent, OnEvent, OnEventBatch } from '@app/messaging';
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
  onAgencyRegistered(@Payload() event: EventEnvelope<AgencyRegisteredV1>): Promise<void> {
    return this.agencies.recordRegistered(event.payload);
  }

  @OnEvent(BookletIssued)
  onBookletIssued(@Payload() event: EventEnvelope<BookletIssuedV1>): Promise<void> {
    return this.postings.onBookletsIssued([event]);
  }

  /** Consecutive booklets of a partition (an order of several booklets) at once. */
  @OnEventBatch(BookletIssued)
  onBookletsIssued(@Payload() events: Array<BatchedEvent<BookletIssuedV1>>): Promise<void> {
    return this.postings.onBookletsIssued(events.map(({ envelope }) => envelope));
  }

  @OnEvent(AllocationReleased)
  onAllocationReleased(@Payload() event: EventEnvelope<AllocationReleasedV1>): Promise<void> {
    return this.allocations.onReleased(event.payload);
  }
}
