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
import { BatchedEvent, EventContext, OnEvent, OnEventBatch } from '@app/messaging';
import { ProjectionService } from '../projection/projection.service';

/** Every funding event feeds the read models or the audit trail. */
const PROJECTED = [FunderRegistered, ProgramOpened, ProgramBudgetIncreased, ProgramClosed, AllocationGranted, AllocationReclaimRequested, AllocationReduced, SettlementStatementIssued, SettlementPaid, FunderCreditNoteIssued] as const;

/**
 * Consecutive events of a partition are applied at once (ProjectionBatch, a
 * few statements per table); a lone event, or each event of a batch the
 * projection refused, one at a time.
 */
@Controller()
export class FundingEventsConsumer {
  constructor(private readonly projection: ProjectionService) {}

  @OnEvent(...PROJECTED)
  onEvent(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    return this.projection.applyLive(event, context.message);
  }

  @OnEventBatch(...PROJECTED)
  onEvents(@Payload() events: BatchedEvent[]): Promise<void> {
    return this.projection.applyLiveBatch(events);
  }
}
