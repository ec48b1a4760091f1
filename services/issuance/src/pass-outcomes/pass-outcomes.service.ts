import { Injectable } from '@nestjs/common';
import {
  EventEnvelope,
  RedemptionCancelled,
  RedemptionCancelledV1,
  VoucherExpired,
  VoucherExpiredV1,
  VoucherRedeemed,
  VoucherRedeemedV1,
  VoucherVoidedV1,
  VoucherVoidRejectedV1,
} from '@app/contracts';
import { AllocationRepository } from '../allocations/allocation.repository';
import { BookletRepository, PassStatus } from '../booklets/booklet.repository';
import { VoidRequestRepository } from '../voids/void-request.repository';

/** The outcomes that only set their pass's status, and the status each leaves. */
export type StatusOnlyOutcome = VoucherRedeemedV1 | RedemptionCancelledV1 | VoucherExpiredV1;
const STATUS_AFTER: Record<string, PassStatus> = {
  [VoucherRedeemed.type]: 'redeemed',
  [RedemptionCancelled.type]: 'issued',
  [VoucherExpired.type]: 'expired',
};

/**
 * Mirrors redemption's decisions on passes (it alone writes terminal states).
 * An outcome about a pass or request issuance never created is a broken
 * pipeline: it throws, so the event is dead-lettered rather than lost.
 */
@Injectable()
export class PassOutcomesService {
  constructor(
    private readonly booklets: BookletRepository,
    private readonly voidRequests: VoidRequestRepository,
    private readonly allocations: AllocationRepository,
  ) {}

  /** The pass's value goes back to the agency's allocation on that program, so it can be issued again. */
  async recordVoided(event: VoucherVoidedV1): Promise<void> {
    const pass = await this.mirror(event.passId, event.bookletId, 'voided', 'VoucherVoided');
    if (!(await this.voidRequests.decide(event.requestId, event.passId, { status: 'accepted' }))) {
      throw new Error(`VoucherVoided refers to unknown void request ${event.requestId} of pass ${event.passId}`);
    }
    if (pass.previous === 'voided') return;
    if (!(await this.allocations.credit(pass.agencyId, pass.programId, pass.amountCents))) {
      throw new Error(`VoucherVoided: no allocation of agency ${pass.agencyId} on program ${pass.programId} to credit`);
    }
  }

  async recordVoidRejected(event: VoucherVoidRejectedV1): Promise<void> {
    if (
      !(await this.voidRequests.decide(event.requestId, event.passId, { status: 'rejected', reason: event.reason }))
    ) {
      throw new Error(`VoucherVoidRejected refers to unknown void request ${event.requestId} of pass ${event.passId}`);
    }
  }

  /**
   * Redemptions, cancellations and expiries of consecutive events at once:
   * each only sets its pass's status. If one names a pass issuance never
   * created, this throws: the events are then split until that one is alone.
   */
  async recordStatuses(events: Array<EventEnvelope<StatusOnlyOutcome>>): Promise<void> {
    const changes = events.map(({ type, payload }) => ({
      passId: payload.passId,
      bookletId: payload.bookletId,
      status: STATUS_AFTER[type],
    }));
    const updated = await this.booklets.setPassStatuses(changes);
    const unknown = events.find(({ payload }) => !updated.has(payload.passId.toLowerCase()));
    if (unknown)
      throw new Error(
        `${unknown.type} refers to unknown pass ${unknown.payload.passId} of booklet ${unknown.payload.bookletId}`,
      );
  }

  private async mirror(passId: string, bookletId: string, status: PassStatus, type: string) {
    const pass = await this.booklets.setPassStatus(passId, bookletId, status);
    if (!pass) throw new Error(`${type} refers to unknown pass ${passId} of booklet ${bookletId}`);
    return pass;
  }
}
