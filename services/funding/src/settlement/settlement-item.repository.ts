import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';

export type Shares = Record<string, number>;

export interface SettlementItem {
  id: string;
  kind: 'redemption' | 'adjustment';
  redemptionId: string;
  passId: string;
  siteId: string;
  programId: string;
  amountCents: number;
  shares: Shares;
  redeemedAt: Date;
  status: 'pending' | 'settled' | 'cancelled' | 'reversed';
  statementId: string | null;
  cancelledFrom: 'site_payable' | 'site_paid' | null;
}

export function toItem(r: Record<string, never>): SettlementItem {
  return {
    id: String(r.id),
    kind: r.kind,
    redemptionId: r.redemption_id,
    passId: r.pass_id,
    siteId: r.site_id,
    programId: r.program_id,
    amountCents: Number(r.amount_cents),
    shares: r.shares,
    redeemedAt: r.redeemed_at,
    status: r.status,
    statementId: r.statement_id,
    cancelledFrom: r.cancelled_from,
  };
}

/** What is owed to sites, redemption by redemption. */
@Injectable()
export class SettlementItemRepository {
  constructor(private readonly tx: TransactionHost) {}

  async insertRedemptions(
    items: Array<
      Pick<SettlementItem, 'redemptionId' | 'passId' | 'siteId' | 'programId' | 'amountCents' | 'shares' | 'redeemedAt'>
    >,
  ): Promise<void> {
    await this.tx.requireTransaction('Recording settlement items').query(
      `INSERT INTO settlement_items (kind, redemption_id, pass_id, site_id, program_id, amount_cents, shares, redeemed_at, status)
       SELECT 'redemption', "redemptionId", "passId", "siteId", "programId", "amountCents", shares, "redeemedAt", 'pending'
         FROM json_to_recordset($1::json)
           AS i("redemptionId" uuid, "passId" uuid, "siteId" uuid, "programId" uuid, "amountCents" bigint, shares jsonb, "redeemedAt" timestamptz)`,
      [JSON.stringify(items)],
    );
  }

  /** The pass's redemption not yet cancelled, locked against a concurrent run or cancellation. */
  async findLiveForUpdate(passId: string): Promise<SettlementItem | null> {
    const [row] = await this.tx.manager.query(
      `SELECT * FROM settlement_items WHERE pass_id = $1 AND kind = 'redemption' AND status IN ('pending', 'settled') FOR UPDATE`,
      [passId],
    );
    return row ? toItem(row) : null;
  }

  async markCancelled(itemId: string, cancelledAt: Date): Promise<void> {
    await this.tx.manager.query(`UPDATE settlement_items SET status = 'cancelled', cancelled_at = $2 WHERE id = $1`, [
      itemId,
      cancelledAt,
    ]);
  }

  /** Whether the statement holding a settled item was paid; locks it so a payment confirmation waits for us, or we for it. */
  async statementPaidForUpdate(statementId: string): Promise<boolean> {
    const [row] = await this.tx.manager.query(`SELECT paid_at FROM settlement_statements WHERE id = $1 FOR UPDATE`, [
      statementId,
    ]);
    return row.paid_at !== null;
  }

  /** The settled item stays in its closed statement; a negative item takes it back from the site's next statement. */
  async reverse(item: SettlementItem, cancelledFrom: 'site_payable' | 'site_paid', cancelledAt: Date): Promise<void> {
    await this.tx.manager.query(
      `UPDATE settlement_items SET status = 'reversed', cancelled_from = $2, cancelled_at = $3 WHERE id = $1`,
      [item.id, cancelledFrom, cancelledAt],
    );
    const negated = Object.fromEntries(Object.entries(item.shares).map(([line, cents]) => [line, -cents]));
    await this.tx.manager.query(
      `INSERT INTO settlement_items (kind, redemption_id, pass_id, site_id, program_id, amount_cents, shares, redeemed_at, status, reverses_item_id, cancelled_at)
       VALUES ('adjustment', $1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9)`,
      [
        item.redemptionId,
        item.passId,
        item.siteId,
        item.programId,
        -item.amountCents,
        negated,
        item.redeemedAt,
        item.id,
        cancelledAt,
      ],
    );
  }
}
