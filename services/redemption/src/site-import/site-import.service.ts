import { HttpStatus, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuthenticatedUser } from '@app/auth';
import { SiteRegistered, SiteUpdated } from '@app/contracts';
import { TransactionHost } from '@app/database';
import { EventPublisher } from '@app/messaging';
import { Problem } from '@app/platform';
import { siteEventPayload } from '../sites/sites.service';
import { Site, SiteDetails } from '../sites/site.model';
import { NewSite, SiteRepository } from '../sites/site.repository';
import { MediationCsvError, MediationRow, readMediationCsv } from './mediation-csv';

export type ImportOutcome = 'created' | 'updated' | 'unchanged' | 'rejected';

export interface ImportRowReport {
  row: number;
  id: string | null;
  outcome: ImportOutcome;
  errors: string[];
}

export interface ImportReport {
  counts: Record<ImportOutcome, number>;
  durationMs: number;
  rows: ImportRowReport[];
}

/** Rows written per transaction: large enough for speed, small enough to keep locks and memory short. */
const BATCH_SIZE = 2000;

function sameDetails(site: Site, details: SiteDetails): boolean {
  const keys: Array<keyof SiteDetails> = [
    'name',
    'siret',
    'rna',
    'address',
    'postalCode',
    'inseeCode',
    'departement',
    'contactEmail',
    'contactPhone',
  ];
  return (
    keys.every((key) => site[key] === details[key]) &&
    [...site.labels].sort().join('|') === [...details.labels].sort().join('|')
  );
}

@Injectable()
export class SiteImportService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly sites: SiteRepository,
    private readonly events: EventPublisher,
  ) {}

  /**
   * Registers new sites (pending: the national format has no payout
   * account) and updates known ones by their national id; a row identical
   * to what is stored changes nothing and emits nothing.
   */
  async importCsv(text: string, operator: AuthenticatedUser): Promise<ImportReport> {
    const started = Date.now();
    let rows: MediationRow[];
    try {
      rows = readMediationCsv(text);
    } catch (error) {
      if (error instanceof MediationCsvError)
        throw new Problem(HttpStatus.BAD_REQUEST, 'IMPORT_FILE_INVALID', error.message);
      throw error;
    }
    const reports: ImportRowReport[] = [];
    for (let start = 0; start < rows.length; start += BATCH_SIZE) {
      reports.push(...(await this.importBatch(rows.slice(start, start + BATCH_SIZE), operator)));
    }
    const counts = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
    for (const report of reports) counts[report.outcome] += 1;
    return { counts, durationMs: Date.now() - started, rows: reports };
  }

  private importBatch(rows: MediationRow[], operator: AuthenticatedUser): Promise<ImportRowReport[]> {
    return this.tx.run(async () => {
      const valid = rows.filter((row) => row.details && row.id);
      const known = new Map(
        (await this.sites.findBySourceIds(valid.map((row) => row.id!))).map((site) => [site.sourceId!, site]),
      );
      const created: NewSite[] = [];
      const updated: Array<{ site: Site; details: SiteDetails }> = [];
      const reports = rows.map((row): ImportRowReport => {
        if (!row.details || !row.id) return { row: row.row, id: row.id, outcome: 'rejected', errors: row.errors };
        const site = known.get(row.id);
        if (!site) {
          created.push({
            id: randomUUID(),
            details: { ...row.details, iban: null, bic: null },
            sourceId: row.id,
            registeredBy: operator.subject,
          });
          return { row: row.row, id: row.id, outcome: 'created', errors: [] };
        }
        // The payout account is not in the national format: an import keeps the one the operator entered.
        const details = { ...row.details, iban: site.iban, bic: site.bic };
        if (sameDetails(site, details)) return { row: row.row, id: row.id, outcome: 'unchanged', errors: [] };
        updated.push({ site, details });
        return { row: row.row, id: row.id, outcome: 'updated', errors: [] };
      });
      await this.sites.insertMany(created);
      await this.sites.updateDetails(updated.map(({ site, details }) => ({ id: site.id, details })));
      await this.events.publishAll(
        SiteRegistered,
        created.map((site) =>
          siteEventPayload({ ...site.details, id: site.id, sourceId: site.sourceId, registeredBy: site.registeredBy }),
        ),
      );
      await this.events.publishAll(
        SiteUpdated,
        updated.map(({ site, details }) =>
          siteEventPayload({ ...details, id: site.id, sourceId: site.sourceId, registeredBy: site.registeredBy }),
        ),
      );
      return reports;
    });
  }
}
