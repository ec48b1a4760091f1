import type { Html } from '../html';
import { date, euros, html } from '../html';
import type { PageView } from '../layout';

/** A program as reporting lists them for the caller (GET /programs). */
export interface ProgramListItem {
  programId: string;
  name: string;
  budgetCents: number;
  validFrom: string;
  validUntil: string;
  territory: string[];
  closed: boolean;
}

export interface DashboardProgramsModel {
  programs: ProgramListItem[];
}

/** The programs the funder (or the operator) may look into. */
export function dashboardProgramsView({ programs }: DashboardProgramsModel): PageView {
  return {
    title: 'Tableau de bord',
    body: html`<h1>Tableau de bord</h1>
      ${
        programs.length === 0
          ? html`<p>Aucun programme à afficher.</p>`
          : html`<ul class="fr-raw-list">${programs.map(programItem)}</ul>`
      }`,
  };
}

function programItem(p: ProgramListItem): Html {
  const validity = `du ${date(p.validFrom)} au ${date(p.validUntil)}`;
  const facts = `Budget ${euros(p.budgetCents)} — ${validity} — ${p.territory.join(', ')}${p.closed ? ' — clos' : ''}`;
  return html`<li class="fr-mb-2w"><a class="fr-link fr-text--lg"
    href="/tableau-de-bord/programmes/${p.programId}">${p.name}</a>
    <br><span class="fr-hint-text">${facts}</span></li>`;
}
