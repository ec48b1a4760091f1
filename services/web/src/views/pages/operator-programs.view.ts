import type { Html } from '../html';
import { date, dateTime, euros, html } from '../html';
import { FUNDER_KIND_LABELS } from '../labels';
import type { PageView } from '../layout';
import { table } from '../table';

/** A funder as funding lists them (GET /funders). */
export interface Funder {
  id: string;
  name: string;
  kind: string;
  siret: string;
  registeredAt: string;
}

/** A program as funding lists them (GET /programs). */
export interface FundedProgram {
  id: string;
  name: string;
  budgetCents?: number;
  validFrom: string;
  validUntil: string;
  territory?: string[];
  fundingLines?: Array<{ funderId: string; shareBasisPoints: number }>;
  status: string;
}

export interface OperatorProgramsModel {
  funders: Funder[];
  programs: FundedProgram[];
}

/** The operator's home: every program with its funders' shares, and the funders. */
export function operatorProgramsView({ funders, programs }: OperatorProgramsModel): PageView {
  const names = new Map(funders.map((f) => [f.id, f.name]));
  return {
    title: 'Financeurs et programmes',
    body: html`<h1>Financeurs et programmes</h1>
      <h2 class="fr-h4">Programmes (${programs.length})</h2>
      ${table(
        'Programmes ouverts et clos',
        ['Programme', 'Budget', 'Validité', 'Territoire', 'Financeurs', 'État'],
        programs.map((p) => programRow(p, names)),
      )}
      <h2 class="fr-h4">Financeurs (${funders.length})</h2>
      ${table(
        'Financeurs enregistrés',
        ['Nom', 'Type', 'SIRET', 'Enregistré le'],
        funders.map(
          (f) => html`<tr><td>${f.name}</td><td>${FUNDER_KIND_LABELS[f.kind] ?? f.kind}</td>
            <td>${f.siret}</td><td>${dateTime(f.registeredAt)}</td></tr>`,
        ),
      )}`,
  };
}

function programRow(p: FundedProgram, funderNames: Map<string, string>): Html {
  const shares = (p.fundingLines ?? [])
    .map((l) => `${funderNames.get(l.funderId) ?? l.funderId} (${l.shareBasisPoints / 100} %)`)
    .join(', ');
  return html`<tr><td><a href="/tableau-de-bord/programmes/${p.id}">${p.name}</a></td>
    <td>${euros(p.budgetCents ?? 0)}</td><td>${date(p.validFrom)} – ${date(p.validUntil)}</td>
    <td>${(p.territory ?? []).join(', ')}</td><td>${shares}</td>
    <td>${p.status === 'closed' ? 'Clos' : 'Ouvert'}</td></tr>`;
}
