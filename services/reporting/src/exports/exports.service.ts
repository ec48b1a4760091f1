import { Inject, Injectable } from '@nestjs/common';
import { AuthenticatedUser } from '@app/auth';
import { SERVICE_SETTINGS } from '@app/platform';
import { ReportingSettings } from '../reporting.settings';
import { ProgramAccessService } from '../views/program-access.service';
import { ReportingService } from '../views/reporting.service';
import { CSV_BOM, csvLine, decimal, euros } from './csv';
import { ExportRepository } from './export.repository';

export const REDEMPTION_HEADERS = [
  'Date de validation',
  'Identifiant du pass',
  'Identifiant du carnet',
  'Programme',
  'Agence',
  "Département de l'agence",
  'Identifiant du site',
  'Site',
  'Département du site',
  'Montant (€)',
];

export const AGGREGATE_HEADERS = [
  'Dimension',
  'Clé',
  'Libellé',
  'Carnets émis',
  'Carnets entamés',
  'Pass émis',
  'Pass validés',
  'Pass annulés',
  'Pass expirés',
  'Pass en circulation',
  'Montant émis (€)',
  'Montant validé (€)',
  'Montant annulé (€)',
  'Montant expiré (€)',
  'Montant en circulation (€)',
  'Taux de validation',
];

/** CSV exports, produced line by line for the controller to stream. */
@Injectable()
export class ExportsService {
  constructor(
    private readonly access: ProgramAccessService,
    private readonly reporting: ReportingService,
    private readonly rows: ExportRepository,
    @Inject(SERVICE_SETTINGS) private readonly settings: ReportingSettings,
  ) {}

  /** Checks access before the first line, so a refusal is an HTTP error and not a broken download. */
  async redemptions(user: AuthenticatedUser, programId: string): Promise<AsyncIterable<string>> {
    const generation = await this.access.readableProgram(user, programId);
    const rows = this.rows;
    const pageSize = this.settings.REPORTING_EXPORT_PAGE_SIZE;
    return (async function* () {
      yield CSV_BOM + csvLine(REDEMPTION_HEADERS);
      let after: { at: string; passId: string } | null = null;
      for (;;) {
        const page = await rows.redemptionsPage(generation, programId, after, pageSize);
        if (page.length > 0) {
          yield page
            .map((r) =>
              csvLine([
                r.redeemed_at_paris,
                r.pass_id,
                r.booklet_id,
                r.program_name,
                r.agency_name,
                r.agency_departement,
                r.site_id,
                r.site_name,
                r.site_departement,
                euros(r.amount_cents),
              ]),
            )
            .join('');
        }
        if (page.length < pageSize) return;
        const last = page[page.length - 1];
        after = { at: last.cursor_at, passId: last.pass_id };
      }
    })();
  }

  async aggregates(user: AuthenticatedUser, programId: string): Promise<AsyncIterable<string>> {
    const rows = await this.reporting.aggregateRows(user, programId);
    return (async function* () {
      yield CSV_BOM + csvLine(AGGREGATE_HEADERS);
      for (const { dimension, key, label, metrics: m } of rows) {
        yield csvLine([
          dimension,
          key,
          label,
          m.bookletsIssued,
          m.bookletsStarted,
          m.passesIssued,
          m.passesRedeemed,
          m.passesVoided,
          m.passesExpired,
          m.passesOutstanding,
          euros(m.issuedCents),
          euros(m.redeemedCents),
          euros(m.voidedCents),
          euros(m.expiredCents),
          euros(m.outstandingCents),
          decimal(m.redemptionRate),
        ]);
      }
    })();
  }
}
