import { statusBadge } from '../badge';
import { alert, form, input } from '../forms';
import type { Html } from '../html';
import { date, html, integer } from '../html';
import type { SiteDecision } from '../labels';
import { SITE_DECISION_LABELS, SITE_IMPORT_OUTCOME_LABELS, SITE_STATUS_LABELS } from '../labels';
import type { PageView } from '../layout';
import { table } from '../table';

/** A site of the registry, as redemption lists them (GET /sites). */
export interface RegisteredSite {
  id: string;
  name: string;
  status: string;
  siret?: string | null;
  rna?: string | null;
  postalCode: string;
  departement: string;
  accreditedUntil?: string | null;
  iban?: string | null;
}

/** What redemption answers to an import of the national file (POST /sites/import). */
export interface SiteImportReport {
  counts: Record<string, number>;
  rows: Array<{ row: number; outcome: string; errors?: string[] }>;
}

export interface OperatorSitesModel {
  csrf: string;
  sites: RegisteredSite[];
  /** The import just made, if any. */
  imported?: SiteImportReport;
  /** The refusal of the import, under the file field. */
  errors: { file?: string };
}

/** The decisions each status allows, besides accreditation. */
const DECISIONS_BY_STATUS: Record<string, SiteDecision[]> = {
  accredited: ['suspension', 'revocation'],
  suspended: ['reinstatement', 'revocation'],
  pending: [],
  revoked: [],
};

/** The site registry: import of the national file, and each site's accreditation and decisions. */
export function operatorSitesView({ csrf, sites, imported, errors }: OperatorSitesModel): PageView {
  return {
    title: 'Lieux de médiation',
    body: html`<h1>Lieux de médiation</h1>${imported ? importReport(imported) : ''}
      <h2 class="fr-h4">Importer le fichier national</h2>
      ${importForm(csrf, errors.file)}
      <h2 class="fr-h4 fr-mt-4w">Registre (${sites.length})</h2>
      ${table(
        'Lieux enregistrés',
        ['Lieu', 'Commune', 'État', 'Habilité jusqu’au', 'RIB', 'Actions'],
        sites.map(
          (s) => html`<tr><td>${s.name}<br><small>${registration(s)}</small></td>
            <td>${s.postalCode} (${s.departement})</td>
            <td>${statusBadge(s.status, SITE_STATUS_LABELS)}</td>
            <td>${s.accreditedUntil ? date(s.accreditedUntil) : '—'}</td><td>${s.iban ? 'Oui' : 'Non'}</td>
            <td>${siteActions(csrf, s)}</td></tr>`,
        ),
      )}`,
  };
}

function registration(s: RegisteredSite): string {
  return s.siret ? `SIRET ${s.siret}` : s.rna ? `RNA ${s.rna}` : '';
}

function importReport(report: SiteImportReport): Html {
  const failed = report.rows.filter((r) => r.errors && r.errors.length > 0).slice(0, 50);
  const counts = Object.entries(report.counts)
    .map(([outcome, n]) => `${SITE_IMPORT_OUTCOME_LABELS[outcome] ?? outcome} : ${integer(n)}`)
    .join(', ');
  return html`${alert(failed.length ? 'warning' : 'success', 'Import terminé', counts)}
        ${
          failed.length
            ? table(
                'Lignes refusées (50 premières)',
                ['Ligne', 'Erreurs'],
                failed.map((r) => html`<tr><td>${r.row}</td><td>${(r.errors ?? []).join(' ; ')}</td></tr>`),
              )
            : ''
        }`;
}

/** A file upload, which the forms helpers do not cover: the token goes in the query, the body being multipart. */
function importForm(csrf: string, error: string | undefined): Html {
  const hint =
    "Format national, séparateur virgule. Les lieux importés restent en attente tant qu'ils n'ont pas de RIB.";
  return html`<form method="post" action="/operateur/lieux/import?_csrf=${encodeURIComponent(csrf)}"
        enctype="multipart/form-data">
        <div class="fr-upload-group${error ? ' fr-input-group--error' : ''}">
          <label class="fr-label" for="field-file">Fichier CSV « Lieux de médiation numérique »<span class="fr-hint-text"
            id="field-file-hint">${hint}</span></label>
          <input class="fr-upload" type="file" id="field-file" name="file" accept=".csv,text/csv"
            aria-describedby="field-file-hint${error ? ' field-file-error' : ''}"
            ${error ? html`aria-invalid="true"` : ''}>
          ${error ? html`<p class="fr-error-text" id="field-file-error">${error}</p>` : ''}
        </div>
        <button class="fr-btn fr-mt-2w" type="submit">Importer</button>
      </form>`;
}

/** Accredit (or extend) a pending or accredited site; the other decisions its status allows. */
function siteActions(csrf: string, s: RegisteredSite): Html {
  const nextYear = `${new Date().getUTCFullYear() + 1}-12-31`;
  const verb = s.status === 'pending' ? 'Habiliter' : 'Prolonger';
  const accreditation =
    s.status === 'pending' || s.status === 'accredited'
      ? form(
          `/operateur/lieux/${s.id}/habilitation`,
          csrf,
          html`<div class="pn-inline-form">
          ${input({
            id: `until-${s.id}`,
            name: 'validUntil',
            type: 'date',
            label: `Habiliter ${s.name} jusqu'au`,
            value: s.accreditedUntil ?? nextYear,
            required: true,
          })}
          <input type="hidden" name="reason" value="Habilitation par l'opérateur">
          <button class="fr-btn fr-btn--sm" type="submit">${verb}</button></div>`,
        )
      : '';
  return html`${accreditation}
      ${(DECISIONS_BY_STATUS[s.status] ?? []).map((d) =>
        form(
          `/operateur/lieux/${s.id}/decision/${d}`,
          csrf,
          html`<div class="pn-inline-form">
          ${input({
            id: `${d}-${s.id}`,
            name: 'reason',
            label: `Motif (${SITE_DECISION_LABELS[d].toLowerCase()} ${s.name})`,
            required: true,
          })}
          <button class="fr-btn fr-btn--sm fr-btn--secondary" type="submit">${SITE_DECISION_LABELS[d]}</button></div>`,
        ),
      )}`;
}
