import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';

export type AccreditationStatus = 'pending' | 'accredited' | 'suspended' | 'revoked';

export interface Payee {
  siteId: string;
  name: string;
  siret: string | null;
  rna: string | null;
  iban: string | null;
  bic: string | null;
  accreditationStatus: AccreditationStatus;
}

/** A site funding owes or may owe: its details if redemption announced it, and its statements held for want of an account. */
export interface PayeeRow {
  siteId: string;
  /** False for a site only held statements name (redemption never announced it). */
  known: boolean;
  name: string;
  siret: string | null;
  rna: string | null;
  iban: string | null;
  bic: string | null;
  accreditationStatus: AccreditationStatus | null;
  heldStatements: number;
  heldCents: number;
  heldReason: string | null;
}

@Injectable()
export class PayeeRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** A site's details replace the previous ones; its accreditation status is kept. */
  async upsert(payee: Omit<Payee, 'accreditationStatus'>): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO payees (site_id, name, siret, rna, iban, bic) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (site_id) DO UPDATE SET name = $2, siret = $3, rna = $4, iban = $5, bic = $6, updated_at = now()`,
      [payee.siteId, payee.name, payee.siret, payee.rna, payee.iban, payee.bic],
    );
  }

  /** False when the site is unknown. */
  async setStatus(siteId: string, status: AccreditationStatus): Promise<boolean> {
    const rows = await this.tx.manager.query(
      `WITH changed AS (UPDATE payees SET accreditation_status = $2, updated_at = now() WHERE site_id = $1 RETURNING site_id) SELECT * FROM changed`,
      [siteId, status],
    );
    return rows.length === 1;
  }

  /** Every payee and every site with statements held and not yet paid by a later run; those with held money first, then by name. */
  async list(): Promise<PayeeRow[]> {
    const rows: Array<Record<string, string | number | boolean | null>> = await this.tx.manager.query(
      `WITH held AS (
         SELECT site_id, count(*)::int AS statements, sum(total_cents)::bigint AS cents, max(payee_name) AS payee_name, max(held_reason) AS reason
         FROM settlement_statements WHERE held_reason IS NOT NULL AND payment_run_id IS NULL GROUP BY site_id)
       SELECT coalesce(p.site_id, h.site_id) AS site_id, p.site_id IS NOT NULL AS known, coalesce(p.name, h.payee_name) AS name, p.siret, p.rna, p.iban, p.bic,
              p.accreditation_status, coalesce(h.statements, 0) AS held_statements, coalesce(h.cents, 0) AS held_cents, h.reason AS held_reason
       FROM payees p FULL JOIN held h ON h.site_id = p.site_id
       ORDER BY coalesce(h.statements, 0) > 0 DESC, 3, 1`,
    );
    return rows.map((r) => ({
      siteId: r.site_id as string,
      known: r.known as boolean,
      name: r.name as string,
      siret: r.siret as string | null,
      rna: r.rna as string | null,
      iban: r.iban as string | null,
      bic: r.bic as string | null,
      accreditationStatus: r.accreditation_status as AccreditationStatus | null,
      heldStatements: Number(r.held_statements),
      heldCents: Number(r.held_cents),
      heldReason: r.held_reason as string | null,
    }));
  }

  async findByIds(siteIds: string[]): Promise<Map<string, Payee>> {
    const rows = await this.tx.manager.query(`SELECT * FROM payees WHERE site_id = ANY($1)`, [siteIds]);
    return new Map(
      rows.map((r: Record<string, string>) => [
        r.site_id,
        {
          siteId: r.site_id,
          name: r.name,
          siret: r.siret,
          rna: r.rna,
          iban: r.iban,
          bic: r.bic,
          accreditationStatus: r.accreditation_status as AccreditationStatus,
        },
      ]),
    );
  }
}
