import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  AllocationGranted,
  AllocationGrantedV1,
  AllocationReclaimRequested,
  AllocationReclaimRequestedV1,
  FunderRegistered,
  FunderRegisteredV1,
  ProgramClosed,
  ProgramClosedV1,
  ProgramOpened,
  ProgramOpenedV1,
} from '@app/contracts';
import { ConsumedEvent, eachEvent, OnEvent } from '@app/messaging';
import { AllocationsService } from '../allocations/allocations.service';
import { ProgramsService } from '../programs/programs.service';

@Controller()
export class FundingEventsConsumer {
  constructor(
    private readonly programs: ProgramsService,
    private readonly allocations: AllocationsService,
  ) {}

  @OnEvent(FunderRegistered)
  onFunderRegistered(@Payload() events: Array<ConsumedEvent<FunderRegisteredV1>>): Promise<void> {
    return eachEvent(events, ({ payload }) => this.programs.recordFunder(payload));
  }

  @OnEvent(ProgramOpened)
  onProgramOpened(@Payload() events: Array<ConsumedEvent<ProgramOpenedV1>>): Promise<void> {
    return eachEvent(events, ({ payload }) => this.programs.recordOpened(payload));
  }

  @OnEvent(ProgramClosed)
  onProgramClosed(@Payload() events: Array<ConsumedEvent<ProgramClosedV1>>): Promise<void> {
    return eachEvent(events, ({ payload }) => this.programs.recordClosed(payload));
  }

  @OnEvent(AllocationGranted)
  onAllocationGranted(@Payload() events: Array<ConsumedEvent<AllocationGrantedV1>>): Promise<void> {
    return eachEvent(events, ({ payload }) => this.allocations.recordGranted(payload));
  }

  @OnEvent(AllocationReclaimRequested)
  onAllocationReclaimRequested(@Payload() events: Array<ConsumedEvent<AllocationReclaimRequestedV1>>): Promise<void> {
    return eachEvent(events, ({ payload }) => this.allocations.recordReclaimRequested(payload));
  }
}
