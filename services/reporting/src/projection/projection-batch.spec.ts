import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@app/contracts';
import {
  AllocationGranted,
  AllocationReduced,
  BookletIssued,
  ProgramBudgetIncreased,
  ProgramOpened,
  RedemptionCancelled,
  SettlementPaid,
  SettlementStatementIssued,
  VoucherExpired,
  VoucherRedeemed,
} from '@app/contracts';
import { AwaitingCause } from '@app/messaging';
import { envelopeOf } from '@app/testing';
import { BatchConflict, ProjectionBatch } from './projection-batch';
import type { BatchSnapshot } from './projection.repository';

const empty = (): BatchSnapshot => ({
  programs: [],
  lines: [],
  allocations: [],
  passes: [],
  statements: [],
  booklets: [],
});
const ev = (definition: Parameters<typeof envelopeOf>[0], payload: object, occurredAt = '2026-03-02T10:00:00.000Z') =>
  envelopeOf(definition, payload, { occurredAt }) as EventEnvelope;

describe('a batch of events applied in memory', () => {
  const programId = randomUUID();
  const agencyId = randomUUID();
  const [lineA, lineB] = [randomUUID(), randomUUID()];
  const opened = () =>
    ev(ProgramOpened, {
      programId,
      name: 'Programme',
      faceValueCents: 1000,
      bookletSize: 10,
      validFrom: '2026-01-01',
      validUntil: '2026-12-31',
      toleranceDays: 31,
      territory: ['31'],
      fundingLines: [
        { fundingLineId: lineA, funderId: randomUUID(), shareBasisPoints: 3334 },
        { fundingLineId: lineB, funderId: randomUUID(), shareBasisPoints: 6666 },
      ],
      leadFunderId: randomUUID(),
      budgetCents: 100_000,
      openedBy: 'operator',
    });
  const allocation = (definition: typeof AllocationGranted | typeof AllocationReduced, amountCents: number) =>
    ev(definition, {
      allocationId: randomUUID(),
      reclaimId: randomUUID(),
      programId,
      agencyId,
      amountCents,
      grantedBy: 'operator',
    });
  const pass = (status: string, extra: Partial<BatchSnapshot['passes'][number]> = {}) => ({
    pass_id: randomUUID(),
    status,
    site_id: null,
    redeemed_at: null,
    voided_at: null,
    expired_at: null,
    ...extra,
  });
  const outcome = (
    definition: typeof VoucherRedeemed | typeof RedemptionCancelled | typeof VoucherExpired,
    passId: string,
    siteId: string,
    at: string,
  ) =>
    ev(
      definition,
      {
        passId,
        bookletId: randomUUID(),
        programId,
        agencyId,
        siteId,
        amountCents: 1000,
        redemptionId: randomUUID(),
        redeemedAt: at,
        cancelledAt: at,
        expiredAt: at,
      },
      at,
    );

  it('opens a program and changes its budget and allocations in one batch: one row each, with the final values', () => {
    const batch = new ProjectionBatch(empty());
    for (const e of [
      opened(),
      ev(ProgramBudgetIncreased, { programId, amountCents: 1, budgetCents: 100_001 }),
      allocation(AllocationGranted, 20_000),
      allocation(AllocationReduced, 5_000),
    ]) {
      batch.apply(e);
    }
    const writes = batch.writes();
    expect(writes.newPrograms).toEqual([
      expect.objectContaining({ programId, budgetCents: 100_001, closed: false, openedAt: '2026-03-02T10:00:00.000Z' }),
    ]);
    // 100 000 split 3334/6666, then the extra cent to the larger remainder; allocations split pass by pass (1000 → 333/667).
    expect(writes.newLines.map((l) => [l.id, l.budgetCents, l.allocatedCents])).toEqual([
      [lineA, 33_340, 333 * 15],
      [lineB, 66_661, 667 * 15],
    ]);
    expect(writes.allocations).toEqual([expect.objectContaining({ programId, agencyId, cents: 15_000 })]);
    expect(writes.changedPrograms).toEqual([]);
  });

  it('refuses a reduction below zero or of no allocation, an unknown program', () => {
    const program = { program_id: programId, face_value_cents: 1000, budget_cents: '100000', closed: false };
    const lines = [lineA, lineB].map((id, position) => ({
      funding_line_id: id,
      program_id: programId,
      position,
      share_basis_points: position === 0 ? 3334 : 6666,
      budget_cents: '0',
      allocated_cents: '0',
      credited_cents: '0',
    }));
    const known = { ...empty(), programs: [program], lines };
    expect(() => new ProjectionBatch(known).apply(allocation(AllocationReduced, 1000))).toThrow(BatchConflict);
    const granted = new ProjectionBatch(known);
    granted.apply(allocation(AllocationGranted, 1000));
    // Granted then reduced by more: the reduction fails even if a later grant would cover it.
    expect(() => granted.apply(allocation(AllocationReduced, 2000))).toThrow(/would become -1000/);
    expect(() => new ProjectionBatch(empty()).apply(allocation(AllocationGranted, 1000))).toThrow(/unknown program/);
    expect(() => new ProjectionBatch(known).apply(opened())).toThrow(/already exists/);
  });

  it('follows a pass through redemption, cancellation and redemption again, and writes only its final state', () => {
    const loaded = pass('issued');
    const [siteA, siteB] = [randomUUID(), randomUUID()];
    const batch = new ProjectionBatch({ ...empty(), passes: [loaded] });
    batch.apply(outcome(VoucherRedeemed, loaded.pass_id, siteA, '2026-03-02T10:00:00.000Z'));
    batch.apply(outcome(RedemptionCancelled, loaded.pass_id, siteA, '2026-03-02T11:00:00.000Z'));
    batch.apply(outcome(VoucherRedeemed, loaded.pass_id, siteB, '2026-03-02T12:00:00.000Z'));
    expect(batch.writes().changedPasses).toEqual([
      {
        passId: loaded.pass_id,
        status: 'redeemed',
        siteId: siteB,
        redeemedAt: '2026-03-02T12:00:00.000Z',
        voidedAt: null,
        expiredAt: null,
      },
    ]);
  });

  it('refuses an outcome the pass cannot follow, and a pass its known booklet does not hold', () => {
    const redeemed = pass('redeemed', { site_id: randomUUID(), redeemed_at: '2026-03-01 10:00:00+01' });
    const stranger = outcome(VoucherRedeemed, randomUUID(), randomUUID(), '2026-03-02T10:00:00.000Z');
    const bookletId = (stranger.payload as { bookletId: string }).bookletId;
    const batch = new ProjectionBatch({ ...empty(), passes: [redeemed], booklets: [{ booklet_id: bookletId }] });
    expect(() =>
      batch.apply(outcome(VoucherExpired, redeemed.pass_id, randomUUID(), '2026-03-02T10:00:00.000Z')),
    ).toThrow(/is redeemed/);
    expect(() => batch.apply(stranger)).toThrow(BatchConflict);
    expect(() => batch.apply(stranger)).toThrow(/unknown pass/);
  });

  it('awaits the cause of an event that came first: the booklet of a pass outcome, the program of a booklet', () => {
    const early = outcome(VoucherRedeemed, randomUUID(), randomUUID(), '2026-03-02T10:00:00.000Z');
    const bookletId = (early.payload as { bookletId: string }).bookletId;
    expect(() => new ProjectionBatch(empty()).apply(early)).toThrow(AwaitingCause);
    expect(() => new ProjectionBatch(empty()).apply(early)).toThrow(`waits for booklet ${bookletId}`);
    const booklet = ev(BookletIssued, {
      bookletId: randomUUID(),
      programId: randomUUID(),
      agencyId,
      issuedBy: 'counselor',
      beneficiary: { beneficiaryRef: 'BEN-1', situation: 'job_seeker', diagnosticLevel: 'beginner' },
      validFrom: '2026-01-01',
      validUntil: '2026-12-31',
      toleranceDays: 31,
      territory: ['31'],
      passes: [{ passId: randomUUID(), codeHash: 'x'.repeat(64), amountCents: 1000 }],
      totalCents: 1000,
    });
    expect(() => new ProjectionBatch(empty()).apply(booklet)).toThrow(AwaitingCause);
  });

  it('inserts a booklet and its passes with the outcomes that followed in the same batch', () => {
    const batch = new ProjectionBatch(empty());
    batch.apply(opened());
    const passIds = [randomUUID(), randomUUID()];
    batch.apply(
      ev(BookletIssued, {
        bookletId: randomUUID(),
        programId,
        agencyId,
        issuedBy: 'counselor',
        beneficiary: { beneficiaryRef: 'BEN-1', situation: 'job_seeker', diagnosticLevel: 'beginner' },
        validFrom: '2026-01-01',
        validUntil: '2026-12-31',
        toleranceDays: 31,
        territory: ['31'],
        passes: passIds.map((passId) => ({ passId, codeHash: 'x'.repeat(64), amountCents: 1000 })),
        totalCents: 2000,
      }),
    );
    batch.apply(outcome(VoucherExpired, passIds[1], randomUUID(), '2026-04-01T00:00:00.000Z'));
    const writes = batch.writes();
    expect(writes.booklets).toEqual([expect.objectContaining({ passCount: 2, totalCents: 2000, ageBand: null })]);
    expect(writes.newPasses).toHaveLength(1);
    expect(writes.newPasses[0]).toMatchObject({ bookletId: writes.booklets[0].bookletId, programId, agencyId });
    expect(writes.newPasses[0].passes.map((p) => [p.passId, p.status, p.expiredAt])).toEqual([
      [passIds[0], 'issued', null],
      [passIds[1], 'expired', '2026-04-01T00:00:00.000Z'],
    ]);
    expect(writes.changedPasses).toEqual([]);
  });

  it('pays a statement issued earlier in the batch, and refuses paying an unknown one', () => {
    const statementId = randomUUID();
    const siteId = randomUUID();
    const batch = new ProjectionBatch(empty());
    batch.apply(
      ev(SettlementStatementIssued, {
        statementId,
        runId: randomUUID(),
        siteId,
        period: '2026-03',
        reference: 'PN',
        totalCents: 5000,
        lineCount: 5,
        held: false,
        heldReason: null,
      }),
    );
    batch.apply(
      ev(SettlementPaid, {
        statementId,
        runId: randomUUID(),
        siteId,
        reference: 'PN',
        amountCents: 5000,
        paidAt: '2026-04-11T10:00:00.000Z',
        confirmedBy: 'operator',
      }),
    );
    expect(batch.writes().newStatements).toEqual([
      expect.objectContaining({ statementId, paidCents: 5000, paidAt: '2026-04-11T10:00:00.000Z' }),
    ]);
    expect(() =>
      batch.apply(
        ev(SettlementPaid, { statementId: randomUUID(), siteId, amountCents: 1, paidAt: '2026-04-11T10:00:00.000Z' }),
      ),
    ).toThrow(/unknown statement/);
  });

  it('reads only the rows its events touch', () => {
    const passId = randomUUID();
    const redeemed = outcome(VoucherRedeemed, passId, randomUUID(), '2026-03-02T10:00:00.000Z');
    const keys = ProjectionBatch.keysOf([allocation(AllocationGranted, 1000), redeemed]);
    const bookletId = (redeemed.payload as { bookletId: string }).bookletId;
    expect(keys).toEqual({
      programIds: [programId],
      fundingLineIds: [],
      allocations: [{ programId, agencyId }],
      passes: [{ passId, bookletId }],
      statementIds: [],
    });
  });
});
