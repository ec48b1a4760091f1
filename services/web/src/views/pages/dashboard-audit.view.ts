import { alert, input } from '../forms';
import { dateTime, html } from '../html';
import { ACTOR_LABELS, EVENT_LABELS } from '../labels';
import type { PageView } from '../layout';
import { table } from '../table';

/** An event of a pass's life, as reporting keeps them (GET /audit/passes/:id). */
export interface AuditEvent {
  occurredAt: string;
  type: string;
  producer: string;
  /** Who acted: an agency, a site, the system…, and which one when it is an organisation. */
  actingOrganisation: { kind: string; id: string | null };
}

const actorOf = ({ kind, id }: AuditEvent['actingOrganisation']) =>
  html`${ACTOR_LABELS[kind] ?? kind}${id ? html`<br><small>${id}</small>` : ''}`;

export interface DashboardAuditModel {
  /** As typed, trimmed; empty before a search. */
  passId: string;
  /** Why there is no trail to show. */
  error?: string;
  /** The pass's trail, once found. */
  events?: AuditEvent[];
}

/** The search of a pass's audit trail, and the trail once found. */
export function dashboardAuditView({ passId, error, events }: DashboardAuditModel): PageView {
  const title = "Historique d'un pass";
  return {
    title,
    body: html`<h1>${title}</h1>
      ${error ? alert('error', 'Historique indisponible', error) : ''}
      <form method="get" action="/tableau-de-bord/audit">
        ${input({
          name: 'passId',
          label: 'Identifiant du pass',
          hint: "Tel qu'il figure dans l'export des validations",
          value: passId,
          errors: error ? { passId: error } : {},
          required: true,
        })}
        <button class="fr-btn" type="submit">Afficher l'historique</button>
      </form>${
        events
          ? table(
              `Historique du pass ${passId}`,
              ['Date', 'Événement', 'Émis par', 'Acteur'],
              events.map(
                (e) => html`<tr><td>${dateTime(e.occurredAt)}</td>
                <td>${EVENT_LABELS[e.type] ?? e.type}<br><small>${e.type}</small></td><td>${e.producer}</td>
                <td>${actorOf(e.actingOrganisation)}</td></tr>`,
              ),
            )
          : ''
      }`,
  };
}
