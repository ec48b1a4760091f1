import { lineChart } from '../chart';
import type { Html } from '../html';
import { date, dateTime, euros, html, integer, percent } from '../html';
import type { PageView } from '../layout';
import { table } from '../table';

/** A program's totals as reporting shows them (GET /programs/:id/summary). */
export interface ProgramSummary {
  name: string;
  territory: string[];
  validFrom: string;
  validUntil: string;
  budgetCents: number;
  allocatedCents: number;
  issuedCents: number;
  passesIssued: number;
  redeemedCents: number;
  passesRedeemed: number;
  expiredCents: number;
  passesExpired: number;
  redemptionRate?: number | null;
  freshness?: { lastEventAt: string | null } | null;
}

export interface DayFigures {
  day: string;
  bookletsIssued: number;
  passesIssued: number;
  passesRedeemed: number;
  passesVoided: number;
  passesExpired: number;
}

export interface DepartementFigures {
  departement: string | null;
  issuedByAgencies: { passesIssued: number; issuedCents: number };
  redeemedAtSites: { passes: number; cents: number };
}

export interface AgencyFigures {
  agencyId: string;
  name: string | null;
  allocatedCents: number;
  issuedCents: number;
  redeemedCents: number;
  redemptionRate?: number | null;
}

export interface SiteFigures {
  siteId: string;
  name: string | null;
  departement: string | null;
  passesRedeemed: number;
  redeemedCents: number;
  settlement: { paidCents: number };
}

export interface DashboardProgramModel {
  programId: string;
  summary: ProgramSummary;
  byDay: DayFigures[];
  byDepartement: DepartementFigures[];
  byAgency: AgencyFigures[];
  bySite: SiteFigures[];
}

/** A program's figures: totals, over time, per département, agency and site, and its exports. */
export function dashboardProgramView(model: DashboardProgramModel): PageView {
  const { programId, summary } = model;
  const lastEventAt = summary.freshness?.lastEventAt;
  const freshness = lastEventAt ? `Données à jour au ${dateTime(lastEventAt)}.` : '';
  const validity = `du ${date(summary.validFrom)} au ${date(summary.validUntil)}`;
  const exports = `/tableau-de-bord/programmes/${programId}`;
  return {
    title: summary.name,
    body: html`<h1>${summary.name}</h1>
      <p class="fr-hint-text">${freshness} Territoire : ${summary.territory.join(', ')}. Validité : ${validity}.</p>
      ${figures(summary)}
      <h2 class="fr-h4">Au fil du temps</h2>
      ${overTime(model.byDay)}
      <h2 class="fr-h4">Par département</h2>
      ${table(
        'Délivrance selon le département de la structure, utilisation selon celui du lieu',
        ['Département', 'Pass délivrés', 'Montant délivré', 'Pass utilisés sur place', 'Montant utilisé'],
        model.byDepartement.map(
          (d) => html`<tr><td>${d.departement ?? 'Inconnu'}</td>
            <td>${integer(d.issuedByAgencies.passesIssued)}</td>
            <td>${euros(d.issuedByAgencies.issuedCents)}</td>
            <td>${integer(d.redeemedAtSites.passes)}</td>
            <td>${euros(d.redeemedAtSites.cents)}</td></tr>`,
        ),
      )}
      <h2 class="fr-h4">Par structure</h2>
      ${table(
        'Structures qui délivrent les carnets',
        ['Structure', 'Attribué', 'Délivré', 'Utilisé', "Taux d'utilisation"],
        model.byAgency.map(
          (a) => html`<tr><td>${a.name ?? a.agencyId}</td><td>${euros(a.allocatedCents)}</td>
            <td>${euros(a.issuedCents)}</td><td>${euros(a.redeemedCents)}</td>
            <td>${percent(a.redemptionRate ?? 0)}</td></tr>`,
        ),
      )}
      <h2 class="fr-h4">Par lieu</h2>
      ${table(
        'Lieux où les pass sont utilisés',
        ['Lieu', 'Département', 'Pass utilisés', 'Montant', 'Payé (tous programmes)'],
        model.bySite.map(
          (s) => html`<tr><td>${s.name ?? s.siteId}</td><td>${s.departement ?? ''}</td>
            <td>${integer(s.passesRedeemed)}</td><td>${euros(s.redeemedCents)}</td>
            <td>${euros(s.settlement.paidCents)}</td></tr>`,
        ),
      )}
      <h2 class="fr-h4">Exports</h2>
      <ul>
        <li><a class="fr-link fr-icon-download-line fr-link--icon-left" href="${exports}/validations.csv"
          download>Toutes les validations (CSV)</a></li>
        <li><a class="fr-link fr-icon-download-line fr-link--icon-left" href="${exports}/agregats.csv"
          download>Agrégats par structure, lieu, département et jour (CSV)</a></li>
      </ul>
      <p><a class="fr-link" href="/tableau-de-bord/audit">Consulter l'historique d'un pass</a></p>`,
  };
}

function figures(s: ProgramSummary): Html {
  const figure = (label: string, value: string, id: string) =>
    html`<li id="${id}"><span>${label}</span><strong>${value}</strong></li>`;
  return html`<ul class="pn-figures fr-mb-4w">
        ${figure('Budget', euros(s.budgetCents), 'figure-budget')}
        ${figure('Attribué aux structures', euros(s.allocatedCents), 'figure-allocated')}
        ${figure('Délivré', `${euros(s.issuedCents)} (${integer(s.passesIssued)} pass)`, 'figure-issued')}
        ${figure('Utilisé', `${euros(s.redeemedCents)} (${integer(s.passesRedeemed)} pass)`, 'figure-redeemed')}
        ${figure('Expiré', `${euros(s.expiredCents)} (${integer(s.passesExpired)} pass)`, 'figure-expired')}
        ${figure("Taux d'utilisation", percent(s.redemptionRate ?? 0), 'figure-rate')}
      </ul>`;
}

/** Passes issued and redeemed, summed day after day, as a chart and as a table. */
function overTime(days: DayFigures[]): Html {
  let issued = 0;
  let redeemed = 0;
  const cumulative = days.map((d) => ({
    issued: (issued += d.passesIssued),
    redeemed: (redeemed += d.passesRedeemed),
  }));
  return html`${lineChart(
    'Pass délivrés et utilisés, en cumul, jour par jour',
    days.map((d) => d.day),
    [
      { label: 'Pass délivrés (cumul)', colour: '#000091', values: cumulative.map((c) => c.issued) },
      { label: 'Pass utilisés (cumul)', colour: '#18753c', values: cumulative.map((c) => c.redeemed) },
    ],
  )}
      <details class="fr-mb-4w"><summary>Les chiffres jour par jour</summary>
        ${table(
          'Par jour',
          ['Jour', 'Carnets délivrés', 'Pass délivrés', 'Pass utilisés', 'Pass annulés', 'Pass expirés'],
          days.map(
            (d) => html`<tr><td>${date(d.day)}</td><td>${integer(d.bookletsIssued)}</td>
              <td>${integer(d.passesIssued)}</td><td>${integer(d.passesRedeemed)}</td>
              <td>${integer(d.passesVoided)}</td><td>${integer(d.passesExpired)}</td></tr>`,
          ),
        )}</details>`;
}
