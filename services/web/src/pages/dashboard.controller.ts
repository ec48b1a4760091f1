import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { BackendClient, BackendError } from '../backend/backend.client';
import { CurrentSession, For } from '../session/session.guard';
import type { Session } from '../session/session.store';
import { alert, input } from '../views/forms';
import { dateTime, date, euros, html, Html, integer, percent } from '../views/html';
import { lineChart } from '../views/chart';
import { Renderer } from '../views/render';
import { sendBinary } from './proxy';

const table = (caption: string, head: string[], rows: Html[]) =>
  html`<div class="fr-table fr-table--no-caption"><div class="fr-table__wrapper"><div class="fr-table__container"><div class="fr-table__content"><table>
    <caption>${caption}</caption><thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div></div></div></div>`;

const EVENTS: Record<string, string> = {
  BookletIssued: 'Carnet délivré',
  VoucherRedeemed: 'Pass utilisé',
  RedemptionCancelled: 'Utilisation annulée',
  VoucherVoidRequested: 'Annulation demandée',
  VoucherVoided: 'Pass annulé',
  VoucherVoidRejected: 'Annulation refusée',
  VoucherExpired: 'Pass expiré',
  SettlementStatementIssued: 'Relevé de règlement émis',
  SettlementPaid: 'Règlement payé',
};
const ACTORS: Record<string, string> = { agency: 'Structure', site: 'Lieu', system: 'Système', funder: 'Financeur', funding: 'Financement', operator: 'Opérateur' };

/** The funders' (and operator's) view of programs, read from reporting. */
@Controller('tableau-de-bord')
@For('funder', 'operator')
export class DashboardController {
  constructor(
    private readonly backend: BackendClient,
    private readonly renderer: Renderer,
  ) {}

  @Get()
  async programs(@CurrentSession() session: Session, @Res() response: Response): Promise<void> {
    const { items } = await this.backend.get<{ items: any[] }>('reporting', session.token, '/programs');
    this.renderer.page(response, session, 'Tableau de bord', html`<h1>Tableau de bord</h1>
      ${items.length === 0 ? html`<p>Aucun programme à afficher.</p>` : html`<ul class="fr-raw-list">${items.map(
        (p) => html`<li class="fr-mb-2w"><a class="fr-link fr-text--lg" href="/tableau-de-bord/programmes/${p.programId}">${p.name}</a>
          <br><span class="fr-hint-text">Budget ${euros(p.budgetCents)} — du ${date(p.validFrom)} au ${date(p.validUntil)} — ${p.territory.join(', ')}${p.closed ? ' — clos' : ''}</span></li>`,
      )}</ul>`}`);
  }

  @Get('programmes/:id')
  async program(@CurrentSession() session: Session, @Param('id', ParseUUIDPipe) id: string, @Res() response: Response): Promise<void> {
    const get = <T>(path: string) => this.backend.get<T>('reporting', session.token, `/programs/${id}${path}`);
    const [summary, byDay, byDepartement, byAgency, bySite] = await Promise.all([
      get<any>('/summary'),
      get<{ items: any[] }>('/by-day'),
      get<{ items: any[] }>('/by-departement'),
      get<{ items: any[] }>('/by-agency'),
      get<{ items: any[] }>('/by-site'),
    ]);
    let issued = 0;
    let redeemed = 0;
    const cumulative = byDay.items.map((d) => ({ issued: (issued += d.passesIssued), redeemed: (redeemed += d.passesRedeemed) }));
    const figure = (label: string, value: string, id: string) => html`<li id="${id}"><span>${label}</span><strong>${value}</strong></li>`;
    const freshness = summary.freshness?.lastEventAt ? `Données à jour au ${dateTime(summary.freshness.lastEventAt)}.` : '';
    this.renderer.page(response, session, summary.name, html`<h1>${summary.name}</h1>
      <p class="fr-hint-text">${freshness} Territoire : ${summary.territory.join(', ')}. Validité : du ${date(summary.validFrom)} au ${date(summary.validUntil)}.</p>
      <ul class="pn-figures fr-mb-4w">
        ${figure('Budget', euros(summary.budgetCents), 'figure-budget')}
        ${figure('Attribué aux structures', euros(summary.allocatedCents), 'figure-allocated')}
        ${figure('Délivré', `${euros(summary.issuedCents)} (${integer(summary.passesIssued)} pass)`, 'figure-issued')}
        ${figure('Utilisé', `${euros(summary.redeemedCents)} (${integer(summary.passesRedeemed)} pass)`, 'figure-redeemed')}
        ${figure('Expiré', `${euros(summary.expiredCents)} (${integer(summary.passesExpired)} pass)`, 'figure-expired')}
        ${figure("Taux d'utilisation", percent(summary.redemptionRate ?? 0), 'figure-rate')}
      </ul>
      <h2 class="fr-h4">Au fil du temps</h2>
      ${lineChart('Pass délivrés et utilisés, en cumul, jour par jour', byDay.items.map((d) => d.day), [
        { label: 'Pass délivrés (cumul)', colour: '#000091', values: cumulative.map((c) => c.issued) },
        { label: 'Pass utilisés (cumul)', colour: '#18753c', values: cumulative.map((c) => c.redeemed) },
      ])}
      <details class="fr-mb-4w"><summary>Les chiffres jour par jour</summary>
        ${table('Par jour', ['Jour', 'Carnets délivrés', 'Pass délivrés', 'Pass utilisés', 'Pass annulés', 'Pass expirés'], byDay.items.map(
          (d) => html`<tr><td>${date(d.day)}</td><td>${integer(d.bookletsIssued)}</td><td>${integer(d.passesIssued)}</td><td>${integer(d.passesRedeemed)}</td><td>${integer(d.passesVoided)}</td><td>${integer(d.passesExpired)}</td></tr>`,
        ))}</details>
      <h2 class="fr-h4">Par département</h2>
      ${table('Délivrance selon le département de la structure, utilisation selon celui du lieu', ['Département', 'Pass délivrés', 'Montant délivré', 'Pass utilisés sur place', 'Montant utilisé'], byDepartement.items.map(
        (d) => html`<tr><td>${d.departement ?? 'Inconnu'}</td><td>${integer(d.issuedByAgencies.passesIssued)}</td><td>${euros(d.issuedByAgencies.issuedCents)}</td><td>${integer(d.redeemedAtSites.passes)}</td><td>${euros(d.redeemedAtSites.cents)}</td></tr>`,
      ))}
      <h2 class="fr-h4">Par structure</h2>
      ${table('Structures qui délivrent les carnets', ['Structure', 'Attribué', 'Délivré', 'Utilisé', "Taux d'utilisation"], byAgency.items.map(
        (a) => html`<tr><td>${a.name ?? a.agencyId}</td><td>${euros(a.allocatedCents)}</td><td>${euros(a.issuedCents)}</td><td>${euros(a.redeemedCents)}</td><td>${percent(a.redemptionRate ?? 0)}</td></tr>`,
      ))}
      <h2 class="fr-h4">Par lieu</h2>
      ${table('Lieux où les pass sont utilisés', ['Lieu', 'Département', 'Pass utilisés', 'Montant', 'Payé (tous programmes)'], bySite.items.map(
        (s) => html`<tr><td>${s.name ?? s.siteId}</td><td>${s.departement ?? ''}</td><td>${integer(s.passesRedeemed)}</td><td>${euros(s.redeemedCents)}</td><td>${euros(s.settlement.paidCents)}</td></tr>`,
      ))}
      <h2 class="fr-h4">Exports</h2>
      <ul>
        <li><a class="fr-link fr-icon-download-line fr-link--icon-left" href="/tableau-de-bord/programmes/${id}/validations.csv" download>Toutes les validations (CSV)</a></li>
        <li><a class="fr-link fr-icon-download-line fr-link--icon-left" href="/tableau-de-bord/programmes/${id}/agregats.csv" download>Agrégats par structure, lieu, département et jour (CSV)</a></li>
      </ul>
      <p><a class="fr-link" href="/tableau-de-bord/audit">Consulter l'historique d'un pass</a></p>`);
  }

  @Get('programmes/:id/validations.csv')
  async redemptionsCsv(@CurrentSession() session: Session, @Param('id', ParseUUIDPipe) id: string, @Res() response: Response): Promise<void> {
    sendBinary(response, await this.backend.binary('reporting', session.token, `/exports/redemptions.csv?programId=${id}`), `validations-${id}.csv`);
  }

  @Get('programmes/:id/agregats.csv')
  async aggregatesCsv(@CurrentSession() session: Session, @Param('id', ParseUUIDPipe) id: string, @Res() response: Response): Promise<void> {
    sendBinary(response, await this.backend.binary('reporting', session.token, `/exports/programs/${id}/aggregates.csv`), `agregats-${id}.csv`);
  }

  @Get('audit')
  async audit(@CurrentSession() session: Session, @Query('passId') passIdParam: string | undefined, @Res() response: Response): Promise<void> {
    const passId = passIdParam?.trim() ?? '';
    let result: Html | string = '';
    let error: string | undefined;
    if (passId && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(passId)) {
      error = "L'identifiant d'un pass a la forme 0b7c1e2a-…-… (36 caractères) : il figure dans l'export des validations.";
    } else if (passId) {
      try {
        const trail = await this.backend.get<{ events: any[] }>('reporting', session.token, `/audit/passes/${passId}`);
        result = table(`Historique du pass ${passId}`, ['Date', 'Événement', 'Émis par', 'Acteur'], trail.events.map(
          (e: any) => html`<tr><td>${dateTime(e.occurredAt)}</td><td>${EVENTS[e.type] ?? e.type}<br><small>${e.type}</small></td><td>${e.producer}</td><td>${ACTORS[e.actingOrganisation] ?? e.actingOrganisation ?? ''}</td></tr>`,
        ));
      } catch (e) {
        if (!(e instanceof BackendError) || e.status >= 500) throw e;
        error = e.status === 404 ? "Aucun pass visible pour vous ne porte cet identifiant." : e.message;
      }
    }
    this.renderer.page(response, session, "Historique d'un pass", html`<h1>Historique d'un pass</h1>
      ${error ? alert('error', 'Historique indisponible', error) : ''}
      <form method="get" action="/tableau-de-bord/audit">
        ${input({ name: 'passId', label: 'Identifiant du pass', hint: "Tel qu'il figure dans l'export des validations", value: passId, errors: error ? { passId: error } : {}, required: true })}
        <button class="fr-btn" type="submit">Afficher l'historique</button>
      </form>${result}`);
  }
}
