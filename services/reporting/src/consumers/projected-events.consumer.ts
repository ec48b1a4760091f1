import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  AgencyRegistered,
  AllocationGranted,
  AllocationReclaimRequested,
  AllocationReduced,
  AllocationReleased,
  BookletIssued,
  FunderCreditNoteIssued,
  FunderRegistered,
  ProgramBudgetIncreased,
  ProgramClosed,
  ProgramOpened,
  RedemptionCancelled,
  SettlementPaid,
  SettlementStatementIssued,
  SiteAccreditationRevoked,
  SiteAccredited,
  SiteRegistered,
  SiteReinstated,
  SiteSuspended,
  SiteUpdated,
  VoucherExpired,
  VoucherRedeemed,
  VoucherVoided,
  VoucherVoidRejected,
  VoucherVoidRequested,
} from '@app/contracts';
import { ConsumedEvent, OnEvent } from '@app/messaging';
import { ProjectionService } from '../projection/projection.service';

/** Every event of the funding, issuance and redemption topics feeds the read models or the audit trail. */
const PROJECTED = [
  FunderRegistered,
  ProgramOpened,
  ProgramBudgetIncreased,
  ProgramClosed,
  AllocationGranted,
  AllocationReclaimRequested,
  AllocationReduced,
  SettlementStatementIssued,
  SettlementPaid,
  FunderCreditNoteIssued,
  AgencyRegistered,
  BookletIssued,
  VoucherVoidRequested,
  AllocationReleased,
  SiteRegistered,
  SiteUpdated,
  SiteAccredited,
  SiteSuspended,
  SiteReinstated,
  SiteAccreditationRevoked,
  VoucherRedeemed,
  RedemptionCancelled,
  VoucherVoided,
  VoucherVoidRejected,
  VoucherExpired,
] as const;

/** Consecutive events of a partition are applied at once (ProjectionBatch, a few statements per table). */
@Controller()
export class ProjectedEventsConsumer {
  constructor(private readonly projection: ProjectionService) {}

  @OnEvent(...PROJECTED)
  onEvents(@Payload() events: ConsumedEvent[]): Promise<void> {
    return this.projection.applyLive(events);
  }
}
