import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';
import { AccountKind } from './account-kinds';

export interface AccountKey {
  programId: string;
  fundingLineId: string;
  kind: AccountKind;
  ownerId: string | null;
}

export interface TransferRow {
  movementId: string;
  programId: string;
  fundingLineId: string;
  debitAccountId: string;
  creditAccountId: string;
  amountCents: number;
  kind: string;
  sourceEventId: string | null;
  reference: string | null;
}

export interface AccountBalance {
  accountId: string;
  fundingLineId: string;
  kind: AccountKind;
  ownerId: string | null;
  debitsCents: number;
  creditsCents: number;
}

export interface TransferView {
  id: string;
  movementId: string;
  kind: string;
  fundingLineId: string;
  debitKind: AccountKind;
  debitOwnerId: string | null;
  creditKind: AccountKind;
  creditOwnerId: string | null;
  amountCents: number;
  sourceEventId: string | null;
  reference: string | null;
  createdAt: Date;
}

/** Raised when the database refuses a transfer that would overdraw an account. */
export class OverdrawnAccountError extends Error {}

const toNumber = (value: string | number) => Number(value);

@Injectable()
export class LedgerRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Opens the accounts if needed and returns their ids, keyed like `accountKeyOf`. */
  async accountIds(keys: AccountKey[]): Promise<Map<string, string>> {
    const manager = this.tx.requireTransaction('Opening ledger accounts');
    const ids = new Map<string, string>();
    for (const key of keys) {
      const params = [key.programId, key.fundingLineId, key.kind, key.ownerId];
      await manager.query(
        `INSERT INTO ledger_accounts (program_id, funding_line_id, kind, owner_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT ON CONSTRAINT ledger_accounts_identity DO NOTHING`,
        params,
      );
      const [row] = await manager.query(
        `SELECT id FROM ledger_accounts WHERE funding_line_id = $2 AND kind = $3 AND owner_id IS NOT DISTINCT FROM $4 AND program_id = $1`,
        params,
      );
      ids.set(accountKeyOf(key), row.id);
    }
    return ids;
  }

  /** Debits one account and credits the other by the same amount, and records the transfer: one balanced posting. */
  async post(transfer: TransferRow): Promise<void> {
    try {
      await this.tx.requireTransaction('Posting a transfer').query(
        `WITH debited AS (UPDATE ledger_accounts SET debits_posted = debits_posted + $6 WHERE id = $4 RETURNING id),
              credited AS (UPDATE ledger_accounts SET credits_posted = credits_posted + $6 WHERE id = $5 RETURNING id)
         INSERT INTO ledger_transfers (movement_id, program_id, funding_line_id, debit_account_id, credit_account_id, amount_cents, kind, source_event_id, reference)
         SELECT $1, $2, $3, debited.id, credited.id, $6, $7, $8, $9 FROM debited, credited`,
        [
          transfer.movementId,
          transfer.programId,
          transfer.fundingLineId,
          transfer.debitAccountId,
          transfer.creditAccountId,
          transfer.amountCents,
          transfer.kind,
          transfer.sourceEventId,
          transfer.reference,
        ],
      );
    } catch (error) {
      const driverError = (error as { driverError?: { code?: string; constraint?: string } }).driverError;
      if (driverError?.code === '23514' && ['balance_not_negative', 'commitment_is_a_source'].includes(driverError.constraint ?? '')) {
        throw new OverdrawnAccountError(`Transfer ${transfer.kind} of ${transfer.amountCents} cents would overdraw account ${transfer.debitAccountId}`);
      }
      throw error;
    }
  }

  async balances(programId: string): Promise<AccountBalance[]> {
    const rows = await this.tx.manager.query(
      `SELECT id, funding_line_id, kind, owner_id, debits_posted, credits_posted FROM ledger_accounts WHERE program_id = $1 ORDER BY kind, owner_id, funding_line_id`,
      [programId],
    );
    return rows.map((r: Record<string, string>) => ({
      accountId: r.id,
      fundingLineId: r.funding_line_id,
      kind: r.kind as AccountKind,
      ownerId: r.owner_id,
      debitsCents: toNumber(r.debits_posted),
      creditsCents: toNumber(r.credits_posted),
    }));
  }

  async transfers(programId: string, limit: number, offset: number): Promise<{ items: TransferView[]; total: number }> {
    const rows = await this.tx.manager.query(
      `SELECT t.id, t.movement_id, t.kind, t.funding_line_id, t.amount_cents, t.source_event_id, t.reference, t.created_at,
              d.kind AS debit_kind, d.owner_id AS debit_owner, c.kind AS credit_kind, c.owner_id AS credit_owner
         FROM ledger_transfers t
         JOIN ledger_accounts d ON d.id = t.debit_account_id
         JOIN ledger_accounts c ON c.id = t.credit_account_id
        WHERE t.program_id = $1 ORDER BY t.id LIMIT $2 OFFSET $3`,
      [programId, limit, offset],
    );
    const [{ total }] = await this.tx.manager.query(`SELECT count(*)::int AS total FROM ledger_transfers WHERE program_id = $1`, [programId]);
    return {
      total,
      items: rows.map((r: Record<string, string & Date>) => ({
        id: r.id,
        movementId: r.movement_id,
        kind: r.kind,
        fundingLineId: r.funding_line_id,
        debitKind: r.debit_kind,
        debitOwnerId: r.debit_owner,
        creditKind: r.credit_kind,
        creditOwnerId: r.credit_owner,
        amountCents: toNumber(r.amount_cents),
        sourceEventId: r.source_event_id,
        reference: r.reference,
        createdAt: r.created_at,
      })),
    };
  }
}

export function accountKeyOf(key: AccountKey): string {
  return `${key.fundingLineId}|${key.kind}|${key.ownerId ?? ''}`;
}
