import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';
import { schemaOf } from '../projection/generation.repository';

export interface RedemptionExportRow {
  cursor_at: string;
  pass_id: string;
  redeemed_at_paris: string;
  booklet_id: string;
  program_name: string;
  agency_name: string | null;
  agency_departement: string | null;
  site_id: string;
  site_name: string | null;
  site_departement: string | null;
  amount_cents: number;
}

/** Keyset pages of redeemed passes: a big export never sits in memory, nor holds a transaction open. */
@Injectable()
export class ExportRepository {
  constructor(private readonly tx: TransactionHost) {}

  redemptionsPage(
    generation: number,
    programId: string,
    after: { at: string; passId: string } | null,
    limit: number,
  ): Promise<RedemptionExportRow[]> {
    const s = schemaOf(generation);
    return this.tx.manager.query(
      `SELECT x.redeemed_at::text AS cursor_at, x.pass_id, to_char(x.redeemed_at AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD HH24:MI:SS') AS redeemed_at_paris,
              x.booklet_id, p.name AS program_name, ag.name AS agency_name, ag.departement AS agency_departement,
              x.site_id, si.name AS site_name, si.departement AS site_departement, x.amount_cents
       FROM ${s}.passes x
       JOIN ${s}.programs p USING (program_id)
       LEFT JOIN ${s}.agencies ag USING (agency_id)
       LEFT JOIN ${s}.sites si USING (site_id)
       WHERE x.program_id = $1 AND x.status = 'redeemed' AND ($2::timestamptz IS NULL OR (x.redeemed_at, x.pass_id) > ($2::timestamptz, $3::uuid))
       ORDER BY x.redeemed_at, x.pass_id LIMIT $4`,
      [programId, after?.at ?? null, after?.passId ?? null, limit],
    );
  }
}
