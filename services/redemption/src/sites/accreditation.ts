import type { SiteStatus } from './site.model';

export type AccreditationAction = 'accredit' | 'suspend' | 'reinstate' | 'revoke';

/** pending → accredited ⇄ suspended → revoked (final); an accredited site may be accredited again to extend its validity. */
const TRANSITIONS: Record<AccreditationAction, { from: SiteStatus[]; to: SiteStatus; verb: string }> = {
  accredit: { from: ['pending', 'accredited'], to: 'accredited', verb: "d'habiliter" },
  suspend: { from: ['accredited'], to: 'suspended', verb: 'de suspendre' },
  reinstate: { from: ['suspended'], to: 'accredited', verb: 'de rétablir' },
  revoke: { from: ['accredited', 'suspended'], to: 'revoked', verb: 'de révoquer' },
};

export const STATUS_LABELS: Record<SiteStatus, string> = {
  pending: "en attente d'habilitation",
  accredited: 'habilité',
  suspended: 'suspendu',
  revoked: 'révoqué',
};

export type TransitionDecision = { allowed: true; to: SiteStatus } | { allowed: false; message: string };

export function decideTransition(current: SiteStatus, action: AccreditationAction): TransitionDecision {
  const transition = TRANSITIONS[action];
  if (transition.from.includes(current)) return { allowed: true, to: transition.to };
  return { allowed: false, message: `Impossible ${transition.verb} ce lieu : il est ${STATUS_LABELS[current]}.` };
}
