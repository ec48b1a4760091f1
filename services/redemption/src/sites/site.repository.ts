import { Injectable } from '@nestjs/common';
import { preparedStatement, TransactionHost } from '@app/database';
import { Site, SiteDetails, SiteStatus } from './site.model';

const COLUMNS = `id, name, siret, rna, address, postal_code, insee_code, departement, contact_email, contact_phone, iban, bic, labels,
  source_id, status, to_char(accredited_until, 'YYYY-MM-DD') AS accredited_until, registered_by, registered_at, updated_at`;

const LOCK_SITE = {
  SHARE: preparedStatement('site-lock-share', `SELECT ${COLUMNS} FROM sites WHERE id = $1 FOR SHARE`),
  UPDATE: preparedStatement('site-lock-update', `SELECT ${COLUMNS} FROM sites WHERE id = $1 FOR UPDATE`),
};

type SiteRow = Record<string, unknown>;

function toSite(row: SiteRow): Site {
  return {
    id: row.id as string,
    name: row.name as string,
    siret: row.siret as string | null,
    rna: row.rna as string | null,
    address: row.address as string,
    postalCode: row.postal_code as string,
    inseeCode: row.insee_code as string,
    departement: row.departement as string,
    contactEmail: row.contact_email as string | null,
    contactPhone: row.contact_phone as string | null,
    iban: row.iban as string | null,
    bic: row.bic as string | null,
    labels: row.labels as Site['labels'],
    sourceId: row.source_id as string | null,
    status: row.status as SiteStatus,
    accreditedUntil: row.accredited_until as string | null,
    registeredBy: row.registered_by as string,
    registeredAt: row.registered_at as Date,
    updatedAt: row.updated_at as Date,
  };
}

/** Column order of the bulk insert and update below. */
const DETAIL_FIELDS = [
  'name',
  'siret',
  'rna',
  'address',
  'postal_code',
  'insee_code',
  'departement',
  'contact_email',
  'contact_phone',
  'iban',
  'bic',
] as const;

function detailValues(details: SiteDetails): Array<string | null> {
  return [
    details.name,
    details.siret,
    details.rna,
    details.address,
    details.postalCode,
    details.inseeCode,
    details.departement,
    details.contactEmail,
    details.contactPhone,
    details.iban,
    details.bic,
  ];
}

export interface NewSite {
  id: string;
  details: SiteDetails;
  sourceId: string | null;
  registeredBy: string;
}

@Injectable()
export class SiteRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Inserts many sites in one statement (an import sends thousands). */
  async insertMany(sites: NewSite[]): Promise<void> {
    if (sites.length === 0) return;
    const columns = DETAIL_FIELDS.map((_, index) => sites.map((site) => detailValues(site.details)[index]));
    await this.tx.manager.query(
      `INSERT INTO sites (id, ${DETAIL_FIELDS.join(', ')}, labels, source_id, registered_by)
       SELECT d.id, d.name, d.siret, d.rna, d.address, d.postal_code, d.insee_code, d.departement, d.contact_email, d.contact_phone, d.iban, d.bic,
              ARRAY(SELECT jsonb_array_elements_text(d.labels)), d.source_id, d.registered_by
       FROM unnest($1::uuid[], ${DETAIL_FIELDS.map((_, i) => `$${i + 2}::text[]`).join(', ')}, $13::jsonb[], $14::text[], $15::text[])
         AS d(id, ${DETAIL_FIELDS.join(', ')}, labels, source_id, registered_by)`,
      [
        sites.map((site) => site.id),
        ...columns,
        sites.map((site) => JSON.stringify(site.details.labels)),
        sites.map((site) => site.sourceId),
        sites.map((site) => site.registeredBy),
      ],
    );
  }

  /** Replaces the details of many sites in one statement. */
  async updateDetails(updates: Array<{ id: string; details: SiteDetails }>): Promise<void> {
    if (updates.length === 0) return;
    const columns = DETAIL_FIELDS.map((_, index) => updates.map((update) => detailValues(update.details)[index]));
    await this.tx.manager.query(
      `UPDATE sites s SET ${DETAIL_FIELDS.map((field) => `${field} = d.${field}`).join(', ')},
              labels = ARRAY(SELECT jsonb_array_elements_text(d.labels)), updated_at = now()
       FROM unnest($1::uuid[], ${DETAIL_FIELDS.map((_, i) => `$${i + 2}::text[]`).join(', ')}, $13::jsonb[])
         AS d(id, ${DETAIL_FIELDS.join(', ')}, labels)
       WHERE s.id = d.id`,
      [updates.map((update) => update.id), ...columns, updates.map((update) => JSON.stringify(update.details.labels))],
    );
  }

  async findById(id: string): Promise<Site | null> {
    const rows: SiteRow[] = await this.tx.manager.query(`SELECT ${COLUMNS} FROM sites WHERE id = $1`, [id]);
    return rows[0] ? toSite(rows[0]) : null;
  }

  /** Locks the site for a change of state; redemptions take a share lock, so they wait for it. */
  async lockById(id: string, mode: 'UPDATE' | 'SHARE'): Promise<Site | null> {
    const { rows } = await this.tx.execute<SiteRow>(LOCK_SITE[mode], [id]);
    return rows[0] ? toSite(rows[0]) : null;
  }

  async findBySourceIds(sourceIds: string[]): Promise<Site[]> {
    const rows: SiteRow[] = await this.tx.manager.query(
      `SELECT ${COLUMNS} FROM sites WHERE source_id = ANY($1::text[]) FOR UPDATE`,
      [sourceIds],
    );
    return rows.map(toSite);
  }

  async list(): Promise<Site[]> {
    const rows: SiteRow[] = await this.tx.manager.query(`SELECT ${COLUMNS} FROM sites ORDER BY name, id`);
    return rows.map(toSite);
  }

  async recordDecision(decision: {
    siteId: string;
    from: SiteStatus;
    to: SiteStatus;
    validUntil: string | null;
    reason: string;
    decidedBy: string;
  }): Promise<void> {
    await this.tx.manager.query(
      `UPDATE sites SET status = $2, accredited_until = COALESCE($3::date, accredited_until), updated_at = now() WHERE id = $1`,
      [decision.siteId, decision.to, decision.validUntil],
    );
    await this.tx.manager.query(
      `INSERT INTO site_accreditation_decisions (site_id, from_status, to_status, valid_until, reason, decided_by) VALUES ($1, $2, $3, $4, $5, $6)`,
      [decision.siteId, decision.from, decision.to, decision.validUntil, decision.reason, decision.decidedBy],
    );
  }
}
