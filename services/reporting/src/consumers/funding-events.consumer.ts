import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  AllocationGranted,
  AllocationReclaimRequested,
  AllocationReduced,
  EventEnvelope,
  FunderCreditNoteIssued,
  FunderRegistered,
  ProgramBudgetIncreased,
  ProgramClosed,
  ProgramOpened,
  SettlementPaid,
  SettlementStatementIssued,
} from '@app/contracts';
import { EventContext, OnEvent } from '@app/messaging';
import { ProjectionService } from '../projection/projection.service';

/** Every funding event feeds the read models or the audit trail. */
@Controller()
export class FundingEventsConsumer {
  constructor(private readonly projection: ProjectionService) {}

  @OnEvent(FunderRegistered)
  onFunderRegistered(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEvent(ProgramOpened)
  onProgramOpened(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEvent(ProgramBudgetIncreased)
  onBudgetIncreased(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEvent(ProgramClosed)
  onProgramClosed(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEvent(AllocationGranted)
  onAllocationGranted(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEvent(AllocationReclaimRequested)
  onReclaimRequested(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEvent(AllocationReduced)
  onAllocationReduced(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEvent(SettlementStatementIssued)
  onStatementIssued(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEvent(SettlementPaid)
  onSettlementPaid(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEvent(FunderCreditNoteIssued)
  onCreditNoteIssued(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }
}
