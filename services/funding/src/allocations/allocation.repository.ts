import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';

export interface AllocationRow {
  id: string;
  programId: string;
  agencyId: string;
  amountCents: number;
  grantedBy: string;
  grantedAt: Date;
}

export interface ReclaimRow {
  id: string;
  programId: string;
  agencyId: string;
  requestedCents: number;
  freedCents: number | null;
  reason: string | null;
  requestedBy: string;
  requestedAt: Date;
  completedAt: Date | null;
}

@Injectable()
export class AllocationRepository {
  constructor(private readonly tx: TransactionHost) {}

  async insertGrant(grant: Omit<AllocationRow, 'grantedAt'>): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO allocations (id, program_id, agency_id, amount_cents, granted_by) VALUES ($1, $2, $3, $4, $5)`,
      [grant.id, grant.programId, grant.agencyId, grant.amountCents, grant.grantedBy],
    );
  }

  async listGrants(programId: string): Promise<AllocationRow[]> {
    const rows = await this.tx.manager.query(
      `SELECT id, program_id, agency_id, amount_cents, granted_by, granted_at FROM allocations WHERE program_id = $1 ORDER BY granted_at, id`,
      [programId],
    );
    return rows.map((r: Record<string, string & Date>) => ({
      id: r.id,
      programId: r.program_id,
      agencyId: r.agency_id,
      amountCents: Number(r.amount_cents),
      grantedBy: r.granted_by,
      grantedAt: r.granted_at,
    }));
  }

  async insertReclaim(
    reclaim: Pick<ReclaimRow, 'id' | 'programId' | 'agencyId' | 'requestedCents' | 'reason' | 'requestedBy'>,
  ): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO allocation_reclaims (id, program_id, agency_id, requested_cents, reason, requested_by) VALUES ($1, $2, $3, $4, $5, $6)`,
      [reclaim.id, reclaim.programId, reclaim.agencyId, reclaim.requestedCents, reclaim.reason, reclaim.requestedBy],
    );
  }

  /** Locks the reclaim while its answer is applied. */
  async findReclaimForUpdate(id: string): Promise<ReclaimRow | null> {
    const [row] = await this.tx.manager.query(`SELECT * FROM allocation_reclaims WHERE id = $1 FOR UPDATE`, [id]);
    return row ? toReclaim(row) : null;
  }

  async completeReclaim(id: string, freedCents: number): Promise<void> {
    await this.tx.manager.query(`UPDATE allocation_reclaims SET freed_cents = $2, completed_at = now() WHERE id = $1`, [
      id,
      freedCents,
    ]);
  }

  async listReclaims(programId: string): Promise<ReclaimRow[]> {
    const rows = await this.tx.manager.query(
      `SELECT * FROM allocation_reclaims WHERE program_id = $1 ORDER BY requested_at, id`,
      [programId],
    );
    return rows.map(toReclaim);
  }
}

function toReclaim(r: Record<string, string & Date>): ReclaimRow {
  return {
    id: r.id,
    programId: r.program_id,
    agencyId: r.agency_id,
    requestedCents: Number(r.requested_cents),
    freedCents: r.freed_cents === null ? null : Number(r.freed_cents),
    reason: r.reason,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    completedAt: r.completed_at,
  };
}
