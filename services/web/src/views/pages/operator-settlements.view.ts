import { alert, form, input } from '../forms';
import type { Html } from '../html';
import { dateTime, html } from '../html';
import type { PageView } from '../layout';
import { table } from '../table';

/** A settlement run as funding lists them (GET /settlement-runs). */
export interface SettlementRun {
  id: string;
  period: string;
  createdAt: string;
  status: string;
  paidAt?: string | null;
}

export interface OperatorSettlementsModel {
  csrf: string;
  runs: SettlementRun[];
  /** The month typed, kept when refused. */
  period: string;
  errors: { period?: string };
}

/** Settling the sites for a month, and the runs made so far with their SEPA files. */
export function operatorSettlementsView({ csrf, runs, period, errors }: OperatorSettlementsModel): PageView {
  return {
    title: 'Règlements',
    body: html`<h1>Règlements des lieux</h1>
      ${errors.period ? alert('error', "Le règlement n'a pas été lancé", errors.period, 'form-errors') : ''}
      ${form(
        '/operateur/reglements',
        csrf,
        html`<div class="pn-inline-form">
        ${input({
          name: 'period',
          type: 'month',
          label: 'Mois à régler',
          hint: 'Un mois terminé, au format AAAA-MM',
          value: period,
          errors,
          required: true,
          attributes: html`pattern="\\d{4}-\\d{2}" placeholder="AAAA-MM"`,
        })}
        <button class="fr-btn" type="submit">Lancer le règlement</button></div>`,
      )}
      <h2 class="fr-h4 fr-mt-4w">Règlements effectués (${runs.length})</h2>
      ${
        runs.length === 0
          ? html`<p>Aucun règlement pour l'instant.</p>`
          : table(
              'Règlements, du plus récent au plus ancien',
              ['Mois', 'Lancé le', 'État', 'Fichier de virements'],
              runs.map(runRow),
            )
      }`,
  };
}

function runRow(r: SettlementRun): Html {
  const state = r.status === 'paid' ? `Payé le ${dateTime(r.paidAt!)}` : 'Émis, en attente de paiement';
  return html`<tr id="run-${r.period}"><td>${r.period}</td><td>${dateTime(r.createdAt)}</td><td>${state}</td>
    <td><a class="fr-link fr-icon-download-line fr-link--icon-left" href="/operateur/reglements/${r.id}/sepa"
      download>SEPA (pain.001)</a></td></tr>`;
}
