import { Injectable } from '@nestjs/common';
import {
  AgencyRegistered,
  AgencyRegisteredV1,
  AllocationGranted,
  AllocationGrantedV1,
  AllocationReduced,
  AllocationReducedV1,
  BookletIssued,
  BookletIssuedV1,
  EventEnvelope,
  FunderCreditNoteIssued,
  FunderCreditNoteIssuedV1,
  FunderRegistered,
  FunderRegisteredV1,
  ProgramBudgetIncreased,
  ProgramBudgetIncreasedV1,
  ProgramClosed,
  ProgramClosedV1,
  ProgramOpened,
  ProgramOpenedV1,
  RedemptionCancelled,
  SiteRegistered,
  SiteRegisteredV1,
  SiteUpdated,
  SettlementPaid,
  SettlementPaidV1,
  SettlementStatementIssued,
  SettlementStatementIssuedV1,
  VoucherExpired,
  VoucherRedeemed,
  VoucherVoided,
} from '@app/contracts';
import { passTransitionOf } from './pass-transitions';
import { GenerationRepository } from './generation.repository';
import { EventRow, PassTransition, ProjectionRepository } from './projection.repository';
import { ProjectionBatch } from './projection-batch';
import { ProjectionBatchRepository } from './projection-batch.repository';
import { ShareLine, splitAmount, splitPerPass } from '@app/money';
import { AwaitingCause, BatchedEvent } from '@app/messaging';

/** Where the event was read: its partition and offset order one aggregate's events in the audit trail. */
export interface EventPosition {
  partition: number;
  offset: string;
}

export interface PositionedEvent {
  envelope: EventEnvelope;
  position: EventPosition;
}

type Payload = Record<string, unknown>;

/**
 * Applies events to the read models of one generation, event by event with
 * `apply`, or many at once with `applyBatch` (ProjectionBatch: the same rules
 * over a whole batch in a few statements). The live consumer and a rebuild's
 * replay both take batches, and fall back to `apply` for a lone event or an
 * event a batch refuses. Both paths must give the same rows: the reporting
 * integration test applies a random scenario through each and compares them.
 */
@Injectable()
export class ProjectionService {
  constructor(
    private readonly generations: GenerationRepository,
    private readonly rows: ProjectionRepository,
    private readonly batchRows: ProjectionBatchRepository,
  ) {}

  /** From an @OnEvent handler, inside its inbox transaction: into the active generation. */
  async applyLive(envelope: EventEnvelope, position: EventPosition): Promise<void> {
    await this.apply(await this.generations.activeForWrite(), envelope, position);
  }

  /** From an @OnEventBatch handler, inside its inbox transaction: consecutive events of a partition, into the active generation. */
  async applyLiveBatch(events: BatchedEvent[]): Promise<void> {
    const generation = await this.generations.activeForWrite();
    await this.applyBatch(generation, events.map(({ envelope, message }) => ({ envelope, position: { partition: message.partition, offset: message.offset } })));
  }

  /** Must run in a transaction; an event already applied to this generation changes nothing. */
  async apply(generation: number, envelope: EventEnvelope, position: EventPosition): Promise<void> {
    const payload = envelope.payload as Payload;
    if (!(await this.rows.recordEvent(generation, this.eventRow(envelope, position)))) return;
    switch (envelope.type) {
      case FunderRegistered.type: {
        const p = payload as unknown as FunderRegisteredV1;
        return this.rows.upsertFunder(generation, p.funderId, p.name, p.kind);
      }
      case ProgramOpened.type:
        return this.openProgram(generation, payload as unknown as ProgramOpenedV1, envelope.occurredAt);
      case ProgramBudgetIncreased.type: {
        const p = payload as unknown as ProgramBudgetIncreasedV1;
        const lines = await this.linesOf(generation, p.programId, envelope);
        return this.rows.increaseBudget(generation, p.programId, p.budgetCents, splitAmount(p.amountCents, lines));
      }
      case ProgramClosed.type: {
        const p = payload as unknown as ProgramClosedV1;
        if (!(await this.rows.closeProgram(generation, p.programId))) throw this.unknown('program', p.programId, envelope);
        return;
      }
      case AllocationGranted.type:
      case AllocationReduced.type:
        return this.changeAllocation(generation, envelope);
      case AgencyRegistered.type: {
        const p = payload as unknown as AgencyRegisteredV1;
        return this.rows.upsertAgency(generation, p.agencyId, p.name, p.kind, p.departement);
      }
      case SiteRegistered.type:
      case SiteUpdated.type: {
        const p = payload as unknown as SiteRegisteredV1;
        return this.rows.upsertSite(generation, p.siteId, p.name, p.departement);
      }
      case BookletIssued.type:
        return this.issueBooklet(generation, payload as unknown as BookletIssuedV1, envelope);
      case VoucherRedeemed.type:
      case RedemptionCancelled.type:
      case VoucherVoided.type:
      case VoucherExpired.type: {
        const passEvent = passTransitionOf(envelope)!;
        return this.transition(generation, passEvent.passId, passEvent.transition, envelope);
      }
      case SettlementStatementIssued.type: {
        const p = payload as unknown as SettlementStatementIssuedV1;
        return this.rows.insertStatement(generation, { ...p, issuedAt: envelope.occurredAt });
      }
      case SettlementPaid.type: {
        const p = payload as unknown as SettlementPaidV1;
        if (!(await this.rows.markStatementPaid(generation, p.statementId, p.amountCents, p.paidAt))) throw this.unknown('statement', p.statementId, envelope);
        return;
      }
      case FunderCreditNoteIssued.type: {
        const p = payload as unknown as FunderCreditNoteIssuedV1;
        if (!(await this.rows.creditLine(generation, p.fundingLineId, p.amountCents))) throw this.unknown('funding line', p.fundingLineId, envelope);
        return;
      }
      default:
      // The other events (void requests and rejections, reclaims, accreditation decisions) only feed the audit trail.
    }
  }

  /**
   * Must run in a transaction: the same as `apply` for each event in turn, in
   * a few statements per table for the whole batch (events of one partition, in
   * offset order). Throws where `apply` would refuse any of them, writing
   * nothing: the caller then splits the batch, down to `apply` for that event.
   */
  async applyBatch(generation: number, events: PositionedEvent[]): Promise<void> {
    // A duplicate within the batch is applied once, at its first position, as `apply` would.
    await this.batchRows.preferIndexProbes();
    const unique = new Map<string, PositionedEvent>();
    for (const event of events) if (!unique.has(event.envelope.eventId.toLowerCase())) unique.set(event.envelope.eventId.toLowerCase(), event);
    const recorded = await this.batchRows.recordEvents(generation, [...unique.values()].map((e) => this.eventRow(e.envelope, e.position)));
    const fresh = [...unique].filter(([id]) => recorded.has(id)).map(([, e]) => e.envelope);
    if (fresh.length === 0) return;
    const batch = new ProjectionBatch(await this.batchRows.load(generation, ProjectionBatch.keysOf(fresh)));
    for (const envelope of fresh) batch.apply(envelope);
    await this.batchRows.write(generation, batch.writes());
  }

  private async openProgram(generation: number, p: ProgramOpenedV1, occurredAt: string): Promise<void> {
    const lines = p.fundingLines.map((line, position) => ({ id: line.fundingLineId, funderId: line.funderId, shareBasisPoints: line.shareBasisPoints, position }));
    const budget = splitAmount(p.budgetCents, lines);
    await this.rows.insertProgram(
      generation,
      {
        programId: p.programId,
        name: p.name,
        faceValueCents: p.faceValueCents,
        bookletSize: p.bookletSize,
        validFrom: p.validFrom,
        validUntil: p.validUntil,
        toleranceDays: p.toleranceDays,
        territory: p.territory,
        budgetCents: p.budgetCents,
        openedAt: occurredAt,
      },
      lines.map((line) => ({ ...line, budgetCents: budget.get(line.id)! })),
    );
  }

  private async changeAllocation(generation: number, envelope: EventEnvelope): Promise<void> {
    const p = envelope.payload as unknown as AllocationGrantedV1 | AllocationReducedV1;
    const lines = await this.linesOf(generation, p.programId, envelope);
    const faceValue = await this.rows.faceValue(generation, p.programId);
    // Funding splits whole booklets' worth pass by pass, any other amount at once: the same here.
    const parts = p.amountCents % faceValue === 0 ? splitPerPass(faceValue, p.amountCents / faceValue, lines) : splitAmount(p.amountCents, lines);
    const sign = envelope.type === AllocationReduced.type ? -1 : 1;
    const changed = await this.rows.changeAllocation(generation, p.programId, p.agencyId, sign * p.amountCents, new Map([...parts].map(([id, cents]) => [id, sign * cents])));
    if (!changed) throw this.unknown('allocation of agency', p.agencyId, envelope);
  }

  private async issueBooklet(generation: number, p: BookletIssuedV1, envelope: EventEnvelope): Promise<void> {
    // The program comes on the funding topic: catching up, its booklets may be fetched before it.
    if (!(await this.rows.fundingLines(generation, p.programId))) throw new AwaitingCause(`program ${p.programId}`);
    await this.rows.insertBooklet(generation, {
      bookletId: p.bookletId,
      programId: p.programId,
      agencyId: p.agencyId,
      issuedAt: envelope.occurredAt,
      beneficiaryRef: p.beneficiary.beneficiaryRef,
      ageBand: p.beneficiary.ageBand ?? null,
      situation: p.beneficiary.situation,
      diagnosticLevel: p.beneficiary.diagnosticLevel,
      totalCents: p.totalCents,
      passes: p.passes.map((pass) => ({ passId: pass.passId, amountCents: pass.amountCents })),
    });
  }

  private async transition(generation: number, passId: string, transition: PassTransition, envelope: EventEnvelope): Promise<void> {
    const result = await this.rows.transitionPass(generation, passId, transition);
    if (result.status === null) {
      // The booklet comes on the issuance topic: catching up, its passes' outcomes may be fetched before it.
      const bookletId = (envelope.payload as { bookletId: string }).bookletId;
      if (!(await this.rows.bookletExists(generation, bookletId))) throw new AwaitingCause(`booklet ${bookletId}`, `pass ${passId}`);
      throw this.unknown('pass', passId, envelope);
    }
    if (!result.applied) {
      throw new Error(`${envelope.type} ${envelope.eventId}: pass ${passId} is ${result.status}, which this event cannot follow`);
    }
  }

  private async linesOf(generation: number, programId: string, envelope: EventEnvelope): Promise<ShareLine[]> {
    const lines = await this.rows.fundingLines(generation, programId);
    if (!lines) throw this.unknown('program', programId, envelope);
    return lines;
  }

  private unknown(what: string, id: string, envelope: EventEnvelope): Error {
    return new Error(`${envelope.type} ${envelope.eventId} refers to unknown ${what} ${id}`);
  }

  /** Who acted: the agency for issuance, the site for redemptions (the redemption service itself for voids and expiries), the funder or the funding service. */
  private eventRow(envelope: EventEnvelope, position: EventPosition): EventRow {
    const p = envelope.payload as Payload;
    const id = (field: string) => (typeof p[field] === 'string' ? (p[field] as string) : null);
    let orgKind: EventRow['orgKind'];
    let orgId: string | null;
    if (envelope.producer === 'issuance') [orgKind, orgId] = ['agency', id('agencyId')];
    else if (envelope.producer === 'redemption') [orgKind, orgId] = id('siteId') ? ['site', id('siteId')] : ['system', null];
    else if (envelope.type === FunderRegistered.type) [orgKind, orgId] = ['funder', id('funderId')];
    // Funding events name the acting account, not its organisation: the operator or the program's lead funder.
    else [orgKind, orgId] = ['funding', null];
    return {
      eventId: envelope.eventId,
      type: envelope.type,
      producer: envelope.producer,
      occurredAt: envelope.occurredAt,
      partition: position.partition,
      offset: position.offset,
      orgKind,
      orgId,
      programId: id('programId'),
      bookletId: id('bookletId'),
      passId: id('passId'),
    };
  }
}
