import { Injectable } from '@nestjs/common';
import { RedemptionCancelledV1, VoucherRedeemedV1 } from '@app/contracts';
import { MovementKind } from '../ledger/account-kinds';
import { SettlementItemRepository } from './settlement-item.repository';

/**
 * Records, with each ledger posting of a redemption or cancellation, what
 * settlement will owe the site. Called inside the consumer's transaction.
 */
@Injectable()
export class SettlementItemsService {
  constructor(private readonly items: SettlementItemRepository) {}

  async recordRedeemed(redemptions: Array<{ event: VoucherRedeemedV1; split: Map<string, number> }>): Promise<void> {
    if (redemptions.length === 0) return;
    await this.items.insertRedemptions(
      redemptions.map(({ event, split }) => ({
        redemptionId: event.redemptionId,
        passId: event.passId,
        siteId: event.siteId,
        programId: event.programId,
        amountCents: event.amountCents,
        shares: Object.fromEntries(split),
        redeemedAt: new Date(event.redeemedAt),
      })),
    );
  }

  /**
   * Cancels the pass's redemption item and tells which account the money
   * comes back from: still payable unless the statement holding it was paid.
   * A statement, once issued, is never edited: a settled item gets a negative
   * adjustment for the site's next statement instead.
   */
  async recordCancelled(event: RedemptionCancelledV1): Promise<MovementKind> {
    const item = await this.items.findLiveForUpdate(event.passId);
    if (!item) throw new Error(`No settlement item for the redemption of pass ${event.passId}`);
    const cancelledAt = new Date(event.cancelledAt);
    if (item.status === 'pending') {
      await this.items.markCancelled(item.id, cancelledAt);
      return 'redemption_cancelled';
    }
    const paid = await this.items.statementPaidForUpdate(item.statementId!);
    await this.items.reverse(item, paid ? 'site_paid' : 'site_payable', cancelledAt);
    return paid ? 'settled_redemption_cancelled' : 'redemption_cancelled';
  }
}
