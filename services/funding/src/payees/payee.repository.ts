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

  async findByIds(siteIds: string[]): Promise<Map<string, Payee>> {
    const rows = await this.tx.manager.query(`SELECT * FROM payees WHERE site_id = ANY($1)`, [siteIds]);
    return new Map(
      rows.map((r: Record<string, string>) => [
        r.site_id,
        { siteId: r.site_id, name: r.name, siret: r.siret, rna: r.rna, iban: r.iban, bic: r.bic, accreditationStatus: r.accreditation_status as AccreditationStatus },
      ]),
    );
  }
}
