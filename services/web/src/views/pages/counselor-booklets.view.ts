import { statusBadge } from '../badge';
import type { Html } from '../html';
import { date, dateTime, euros, html, integer } from '../html';
import { BOOKLET_STATUS_LABELS } from '../labels';
import type { PageView } from '../layout';
import { table } from '../table';

/** The agency's envelope in a program, as issuance lists them (GET /allocations). */
export interface Allocation {
  programId: string;
  programName: string;
  programStatus: string;
  validUntil: string;
  faceValueCents: number;
  bookletSize: number;
  balanceCents: number;
  remainingBooklets: number;
}

/** A booklet as issuance lists them (GET /booklets). */
export interface BookletSummary {
  id: string;
  beneficiary: { beneficiaryRef: string };
  programName: string;
  issuedAt: string;
  status: string;
  passesIssued: number;
  passesRedeemed: number;
  passesVoided: number;
}

export interface CounselorBookletsModel {
  orgName: string | null;
  allocations: Allocation[];
  booklets: { items: BookletSummary[]; total: number; pageSize: number };
  /** The page of booklets shown, from 1. */
  page: number;
}

/** The counselor's home: the agency's envelopes and its booklets, newest first. */
export function counselorBookletsView({ orgName, allocations, booklets, page }: CounselorBookletsModel): PageView {
  const pages = Math.max(1, Math.ceil(booklets.total / booklets.pageSize));
  return {
    title: 'Carnets',
    body: html`<h1>Carnets de ${orgName ?? 'la structure'}</h1>
      <h2 class="fr-h4">Enveloppes disponibles</h2>
      ${
        allocations.length === 0
          ? html`<p>Aucune enveloppe n'a été attribuée à votre structure.</p>`
          : table(
              'Enveloppes par programme',
              ['Programme', 'Solde', 'Carnets restants', "Valable jusqu'au"],
              allocations.map(
                (a) => html`<tr><td>${a.programName}</td><td>${euros(a.balanceCents)}</td>
                <td>${integer(a.remainingBooklets)}</td><td>${date(a.validUntil)}</td></tr>`,
              ),
            )
      }
      <p><a class="fr-btn fr-icon-add-line fr-btn--icon-left"
        href="/conseiller/carnets/nouveau">Délivrer un carnet</a></p>
      <h2 class="fr-h4">Carnets délivrés (${integer(booklets.total)})</h2>
      ${
        booklets.items.length === 0
          ? html`<p>Aucun carnet délivré pour l'instant.</p>`
          : html`${table(
              'Carnets délivrés, du plus récent au plus ancien',
              ['Référence', 'Programme', 'Délivré le', 'État', 'Pass utilisés', 'Pass annulés'],
              booklets.items.map(bookletRow),
            )}
          ${pages > 1 ? pagination(pages, page) : ''}`
      }`,
  };
}

function bookletRow(b: BookletSummary): Html {
  return html`<tr><td><a href="/conseiller/carnets/${b.id}">${b.beneficiary.beneficiaryRef}</a></td>
    <td>${b.programName}</td><td>${dateTime(b.issuedAt)}</td>
    <td>${statusBadge(b.status, BOOKLET_STATUS_LABELS)}</td>
    <td>${b.passesRedeemed} / ${b.passesIssued}</td><td>${b.passesVoided}</td></tr>`;
}

function pagination(pages: number, current: number): Html {
  return html`<nav class="fr-pagination" aria-label="Pagination"><ul class="fr-pagination__list">
    ${Array.from({ length: pages }, (_, i) => i + 1).map(
      (p) => html`<li><a class="fr-pagination__link" href="/conseiller?page=${p}"
        ${p === current ? html`aria-current="page"` : ''}>${p}</a></li>`,
    )}
  </ul></nav>`;
}
