import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  AllocationGranted,
  AllocationGrantedV1,
  AllocationReclaimRequested,
  AllocationReclaimRequestedV1,
  EventEnvelope,
  FunderRegistered,
  FunderRegisteredV1,
  ProgramClosed,
  ProgramClosedV1,
  ProgramOpened,
  ProgramOpenedV1,
} from '@app/contracts';
import { OnEvent } from '@app/messaging';
import { AllocationsService } from '../allocations/allocations.service';
import { ProgramsService } from '../programs/programs.service';

@Controller()
export class FundingEventsConsumer {
  constructor(
    private readonly programs: ProgramsService,
    private readonly allocations: AllocationsService,
  ) {}

  @OnEvent(FunderRegistered)
  onFunderRegistered(@Payload() event: EventEnvelope<FunderRegisteredV1>): Promise<void> {
    return this.programs.recordFunder(event.payload);
  }

  @OnEvent(ProgramOpened)
  onProgramOpened(@Payload() event: EventEnvelope<ProgramOpenedV1>): Promise<void> {
    return this.programs.recordOpened(event.payload);
  }

  @OnEvent(ProgramClosed)
  onProgramClosed(@Payload() event: EventEnvelope<ProgramClosedV1>): Promise<void> {
    return this.programs.recordClosed(event.payload);
  }

  @OnEvent(AllocationGranted)
  onAllocationGranted(@Payload() event: EventEnvelope<AllocationGrantedV1>): Promise<void> {
    return this.allocations.recordGranted(event.payload);
  }

  @OnEvent(AllocationReclaimRequested)
  onAllocationReclaimRequested(@Payload() event: EventEnvelope<AllocationReclaimRequestedV1>): Promise<void> {
    return this.allocations.recordReclaimRequested(event.payload);
  }
}
