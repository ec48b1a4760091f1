import type {
  EventEnvelope,
  RedemptionCancelledV1,
  VoucherExpiredV1,
  VoucherRedeemedV1,
  VoucherVoidedV1,
} from '@app/contracts';
import { RedemptionCancelled, VoucherExpired, VoucherRedeemed, VoucherVoided } from '@app/contracts';
import type { PassTransition } from './projection.repository';

/** What a pass event does to its pass, for the live projection and the batch one alike; null for any other event. */
export function passTransitionOf(envelope: EventEnvelope): { passId: string; transition: PassTransition } | null {
  switch (envelope.type) {
    case VoucherRedeemed.type: {
      const p = envelope.payload as unknown as VoucherRedeemedV1;
      return { passId: p.passId, transition: { to: 'redeemed', siteId: p.siteId, at: p.redeemedAt } };
    }
    case RedemptionCancelled.type:
      return { passId: (envelope.payload as unknown as RedemptionCancelledV1).passId, transition: { to: 'cancelled' } };
    case VoucherVoided.type: {
      const p = envelope.payload as unknown as VoucherVoidedV1;
      return { passId: p.passId, transition: { to: 'voided', at: p.voidedAt } };
    }
    case VoucherExpired.type: {
      const p = envelope.payload as unknown as VoucherExpiredV1;
      return { passId: p.passId, transition: { to: 'expired', at: p.expiredAt } };
    }
    default:
      return null;
  }
}
