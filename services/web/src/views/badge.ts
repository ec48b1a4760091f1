import type { Html } from './html';
import { html } from './html';
import { BADGE } from './labels';

/** A status as a DSFR badge, coloured after the status and worded with the given labels. */
export function statusBadge(status: string, labels: Record<string, string>, size: 'sm' | 'md' = 'sm'): Html {
  const classes = `fr-badge${size === 'sm' ? ' fr-badge--sm' : ''} fr-badge--${BADGE[status] ?? 'info'}`;
  return html`<span class="${classes}">${labels[status] ?? status}</span>`;
}
