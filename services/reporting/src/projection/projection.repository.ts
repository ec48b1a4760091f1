import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';
import { schemaOf } from './generation.repository';
import { ShareLine } from '@app/money';

export interface EventRow {
  eventId: string;
  type: string;
  producer: string;
  occurredAt: string;
  partition: number;
  offset: string;
  orgKind: 'agency' | 'site' | 'funder' | 'funding' | 'system';
  orgId: string | null;
  programId: string | null;
  bookletId: string | null;
  passId: string | null;
}

export interface ProgramRow {
  programId: string;
  name: string;
  faceValueCents: number;
  bookletSize: number;
  validFrom: string;
  validUntil: string;
  toleranceDays: number;
  territory: string[];
  budgetCents: number;
  openedAt: string;
}

export interface BookletRow {
  bookletId: string;
  programId: string;
  agencyId: string;
  issuedAt: string;
  beneficiaryRef: string;
  ageBand: string | null;
  situation: string;
  diagnosticLevel: string;
  totalCents: number;
  passes: Array<{ passId: string; amountCents: number }>;
}

export type PassTransition =
  | { to: 'redeemed'; siteId: string; at: string }
  | { to: 'cancelled' }
  | { to: 'voided'; at: string }
  | { to: 'expired'; at: string };

/** Writes of the read models of one generation (its schema is given to every call). */
@Injectable()
export class ProjectionRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get db() {
    return this.tx.requireTransaction('Projecting an event');
  }

  /** The generation's own log of applied events: false when this event was already applied to it. */
  async recordEvent(generation: number, e: EventRow): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO ${schemaOf(generation)}.events
         (event_id, type, producer, occurred_at, source_partition, source_offset, org_kind, org_id, program_id, booklet_id, pass_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [e.eventId, e.type, e.producer, e.occurredAt, e.partition, e.offset, e.orgKind, e.orgId, e.programId, e.bookletId, e.passId],
    );
    return rows.length === 1;
  }

  async upsertFunder(generation: number, funderId: string, name: string, kind: string): Promise<void> {
    await this.db.query(
      `INSERT INTO ${schemaOf(generation)}.funders (funder_id, name, kind) VALUES ($1, $2, $3)
       ON CONFLICT (funder_id) DO UPDATE SET name = excluded.name, kind = excluded.kind`,
      [funderId, name, kind],
    );
  }

  async insertProgram(generation: number, p: ProgramRow, lines: Array<ShareLine & { funderId: string; budgetCents: number }>): Promise<void> {
    const s = schemaOf(generation);
    await this.db.query(
      `INSERT INTO ${s}.programs (program_id, name, face_value_cents, booklet_size, valid_from, valid_until, tolerance_days, territory, budget_cents, opened_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [p.programId, p.name, p.faceValueCents, p.bookletSize, p.validFrom, p.validUntil, p.toleranceDays, p.territory, p.budgetCents, p.openedAt],
    );
    await this.db.query(
      `INSERT INTO ${s}.funding_lines (funding_line_id, program_id, funder_id, position, share_basis_points, budget_cents)
       SELECT id, $1, funder, pos, share, budget FROM unnest($2::uuid[], $3::uuid[], $4::int[], $5::int[], $6::bigint[]) AS l(id, funder, pos, share, budget)`,
      [p.programId, lines.map((l) => l.id), lines.map((l) => l.funderId), lines.map((l) => l.position), lines.map((l) => l.shareBasisPoints), lines.map((l) => l.budgetCents)],
    );
  }

  async fundingLines(generation: number, programId: string): Promise<ShareLine[] | null> {
    const rows: Array<{ id: string; share: number; position: number }> = await this.db.query(
      `SELECT funding_line_id AS id, share_basis_points AS share, position FROM ${schemaOf(generation)}.funding_lines WHERE program_id = $1 ORDER BY position`,
      [programId],
    );
    return rows.length === 0 ? null : rows.map((r) => ({ id: r.id, shareBasisPoints: r.share, position: r.position }));
  }

  async bookletExists(generation: number, bookletId: string): Promise<boolean> {
    const rows = await this.db.query(`SELECT 1 FROM ${schemaOf(generation)}.booklets WHERE booklet_id = $1`, [bookletId]);
    return rows.length === 1;
  }

  async faceValue(generation: number, programId: string): Promise<number> {
    const [row] = await this.db.query(`SELECT face_value_cents FROM ${schemaOf(generation)}.programs WHERE program_id = $1`, [programId]);
    return row.face_value_cents;
  }

  /** Sets the program's budget and adds each line's part of the increase. */
  async increaseBudget(generation: number, programId: string, budgetCents: number, parts: Map<string, number>): Promise<void> {
    const s = schemaOf(generation);
    await this.db.query(`UPDATE ${s}.programs SET budget_cents = $2 WHERE program_id = $1`, [programId, budgetCents]);
    await this.addToLines(generation, 'budget_cents', parts);
  }

  async closeProgram(generation: number, programId: string): Promise<boolean> {
    const rows = await this.db.query(
      `WITH closed AS (UPDATE ${schemaOf(generation)}.programs SET closed = true WHERE program_id = $1 RETURNING program_id) SELECT * FROM closed`,
      [programId],
    );
    return rows.length === 1;
  }

  /** A grant (positive) or a reduction (negative) of an agency's allocation, with each line's part; false when there is nothing to reduce. */
  async changeAllocation(generation: number, programId: string, agencyId: string, deltaCents: number, parts: Map<string, number>): Promise<boolean> {
    const s = schemaOf(generation);
    // A reduction only updates: the CHECK would refuse a negative row even on the way to a conflict.
    const rows = await this.db.query(
      deltaCents >= 0
        ? `INSERT INTO ${s}.allocations (program_id, agency_id, allocated_cents) VALUES ($1, $2, $3)
           ON CONFLICT (program_id, agency_id) DO UPDATE SET allocated_cents = allocations.allocated_cents + excluded.allocated_cents RETURNING agency_id`
        : `WITH reduced AS (UPDATE ${s}.allocations SET allocated_cents = allocated_cents + $3 WHERE program_id = $1 AND agency_id = $2 RETURNING agency_id)
           SELECT * FROM reduced`,
      [programId, agencyId, deltaCents],
    );
    if (rows.length === 0) return false;
    await this.addToLines(generation, 'allocated_cents', parts);
    return true;
  }

  private async addToLines(generation: number, column: 'budget_cents' | 'allocated_cents', parts: Map<string, number>): Promise<void> {
    await this.db.query(
      `UPDATE ${schemaOf(generation)}.funding_lines l SET ${column} = l.${column} + p.cents
       FROM unnest($1::uuid[], $2::bigint[]) AS p(id, cents) WHERE l.funding_line_id = p.id`,
      [[...parts.keys()], [...parts.values()]],
    );
  }

  async upsertAgency(generation: number, agencyId: string, name: string, kind: string, departement: string): Promise<void> {
    await this.db.query(
      `INSERT INTO ${schemaOf(generation)}.agencies (agency_id, name, kind, departement) VALUES ($1, $2, $3, $4)
       ON CONFLICT (agency_id) DO UPDATE SET name = excluded.name, kind = excluded.kind, departement = excluded.departement`,
      [agencyId, name, kind, departement],
    );
  }

  async upsertSite(generation: number, siteId: string, name: string, departement: string): Promise<void> {
    await this.db.query(
      `INSERT INTO ${schemaOf(generation)}.sites (site_id, name, departement) VALUES ($1, $2, $3)
       ON CONFLICT (site_id) DO UPDATE SET name = excluded.name, departement = excluded.departement`,
      [siteId, name, departement],
    );
  }

  async insertBooklet(generation: number, b: BookletRow): Promise<void> {
    const s = schemaOf(generation);
    await this.db.query(
      `INSERT INTO ${s}.booklets (booklet_id, program_id, agency_id, issued_at, beneficiary_ref, age_band, situation, diagnostic_level, pass_count, total_cents)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [b.bookletId, b.programId, b.agencyId, b.issuedAt, b.beneficiaryRef, b.ageBand, b.situation, b.diagnosticLevel, b.passes.length, b.totalCents],
    );
    await this.db.query(
      `INSERT INTO ${s}.passes (pass_id, booklet_id, program_id, agency_id, amount_cents, status)
       SELECT id, $1, $2, $3, amount, 'issued' FROM unnest($4::uuid[], $5::int[]) AS p(id, amount)`,
      [b.bookletId, b.programId, b.agencyId, b.passes.map((p) => p.passId), b.passes.map((p) => p.amountCents)],
    );
  }

  /** Applies a pass outcome only from the state it follows; null when the pass is unknown, else the status it had. */
  async transitionPass(generation: number, passId: string, t: PassTransition): Promise<{ applied: boolean; status: string | null }> {
    const s = schemaOf(generation);
    const update = {
      redeemed: [`status = 'redeemed', site_id = $2, redeemed_at = $3`, `status = 'issued'`],
      cancelled: [`status = 'issued', site_id = NULL, redeemed_at = NULL`, `status = 'redeemed'`],
      voided: [`status = 'voided', voided_at = $2`, `status = 'issued'`],
      expired: [`status = 'expired', expired_at = $2`, `status = 'issued'`],
    }[t.to];
    const params = t.to === 'redeemed' ? [passId, t.siteId, t.at] : t.to === 'cancelled' ? [passId] : [passId, t.at];
    const rows = await this.db.query(
      `WITH before AS (SELECT status FROM ${s}.passes WHERE pass_id = $1 FOR UPDATE),
            changed AS (UPDATE ${s}.passes SET ${update[0]} WHERE pass_id = $1 AND ${update[1]} RETURNING pass_id)
       SELECT (SELECT status FROM before) AS status, EXISTS (SELECT 1 FROM changed) AS applied`,
      params,
    );
    return { applied: rows[0].applied, status: rows[0].status };
  }

  async insertStatement(
    generation: number,
    st: { statementId: string; siteId: string; period: string; totalCents: number; held: boolean; issuedAt: string },
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO ${schemaOf(generation)}.settlement_statements (statement_id, site_id, period, total_cents, held, issued_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [st.statementId, st.siteId, st.period, st.totalCents, st.held, st.issuedAt],
    );
  }

  /** False when the statement is unknown. */
  async markStatementPaid(generation: number, statementId: string, amountCents: number, paidAt: string): Promise<boolean> {
    const rows = await this.db.query(
      `WITH paid AS (UPDATE ${schemaOf(generation)}.settlement_statements SET paid_cents = $2, paid_at = $3 WHERE statement_id = $1 RETURNING statement_id)
       SELECT * FROM paid`,
      [statementId, amountCents, paidAt],
    );
    return rows.length === 1;
  }

  /** False when the funding line is unknown. */
  async creditLine(generation: number, fundingLineId: string, amountCents: number): Promise<boolean> {
    const rows = await this.db.query(
      `WITH credited AS (UPDATE ${schemaOf(generation)}.funding_lines SET credited_cents = credited_cents + $2 WHERE funding_line_id = $1 RETURNING funding_line_id)
       SELECT * FROM credited`,
      [fundingLineId, amountCents],
    );
    return rows.length === 1;
  }
}
