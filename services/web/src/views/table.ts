import type { Html } from './html';
import { html } from './html';

/** A DSFR table; its caption is for screen readers only (fr-table--no-caption). */
export function table(caption: string, head: string[], rows: Html[]): Html {
  return html`<div class="fr-table fr-table--no-caption"><div class="fr-table__wrapper">
    <div class="fr-table__container"><div class="fr-table__content"><table>
    <caption>${caption}</caption><thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
    <tbody>${rows}</tbody></table></div></div></div></div>`;
}
