import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';

export interface AllocationBalanceRow {
  agencyId: string;
  programId: string;
  programName: string;
  programStatus: string;
  faceValueCents: number;
  bookletSize: number;
  validUntil: string;
  grantedCents: number;
  balanceCents: number;
}

@Injectable()
export class AllocationRepository {
  constructor(private readonly tx: TransactionHost) {}

  async grant(agencyId: string, programId: string, amountCents: number): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO allocations (agency_id, program_id, granted_cents, balance_cents) VALUES ($1, $2, $3, $3)
       ON CONFLICT (agency_id, program_id) DO UPDATE
       SET granted_cents = allocations.granted_cents + EXCLUDED.granted_cents,
           balance_cents = allocations.balance_cents + EXCLUDED.balance_cents,
           updated_at = now()`,
      [agencyId, programId, amountCents],
    );
  }

  /** Frees what is unused up to `requestedCents`, under the row lock; returns what was freed (0 without an allocation). */
  async release(agencyId: string, programId: string, requestedCents: number): Promise<number> {
    const [rows] = await this.tx.manager.query(
      `UPDATE allocations a SET balance_cents = a.balance_cents - f.freed, updated_at = now()
       FROM (SELECT agency_id, program_id, LEAST($3::bigint, balance_cents) AS freed
             FROM allocations WHERE agency_id = $1 AND program_id = $2 FOR UPDATE) f
       WHERE a.agency_id = f.agency_id AND a.program_id = f.program_id
       RETURNING f.freed`,
      [agencyId, programId, requestedCents],
    );
    return rows.length === 0 ? 0 : Number(rows[0].freed);
  }

  async recordReclaim(
    reclaimId: string,
    agencyId: string,
    programId: string,
    requestedCents: number,
    releasedCents: number,
  ): Promise<void> {
    await this.tx.manager.query(
      'INSERT INTO allocation_reclaims (reclaim_id, agency_id, program_id, requested_cents, released_cents) VALUES ($1, $2, $3, $4, $5)',
      [reclaimId, agencyId, programId, requestedCents, releasedCents],
    );
  }

  /** A voided pass's value comes back; false when there is no such allocation. */
  async credit(agencyId: string, programId: string, amountCents: number): Promise<boolean> {
    const [rows] = await this.tx.manager.query(
      `UPDATE allocations SET balance_cents = balance_cents + $3, updated_at = now()
       WHERE agency_id = $1 AND program_id = $2 RETURNING balance_cents`,
      [agencyId, programId, amountCents],
    );
    return rows.length === 1;
  }

  /** Null when the agency has no allocation on the program. */
  async balanceOf(agencyId: string, programId: string): Promise<number | null> {
    const rows = await this.tx.manager.query(
      'SELECT balance_cents FROM allocations WHERE agency_id = $1 AND program_id = $2',
      [agencyId, programId],
    );
    return rows.length === 1 ? Number(rows[0].balance_cents) : null;
  }

  /** Balances with their program, for one agency or all (agencyId null). */
  async listBalances(agencyId: string | null): Promise<AllocationBalanceRow[]> {
    const rows: Array<Record<string, string | number>> = await this.tx.manager.query(
      `SELECT a.agency_id, a.program_id, p.name, p.status, p.face_value_cents, p.booklet_size, p.valid_until::text AS valid_until,
              a.granted_cents, a.balance_cents
       FROM allocations a JOIN programs p ON p.id = a.program_id
       WHERE $1::uuid IS NULL OR a.agency_id = $1
       ORDER BY p.valid_until DESC, p.name, a.agency_id`,
      [agencyId],
    );
    return rows.map((row) => ({
      agencyId: String(row.agency_id),
      programId: String(row.program_id),
      programName: String(row.name),
      programStatus: String(row.status),
      faceValueCents: Number(row.face_value_cents),
      bookletSize: Number(row.booklet_size),
      validUntil: String(row.valid_until),
      grantedCents: Number(row.granted_cents),
      balanceCents: Number(row.balance_cents),
    }));
  }
}
