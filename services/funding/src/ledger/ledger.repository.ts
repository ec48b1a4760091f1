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
  private readonly knownAccountIds = new Map<string, string>();

  constructor(private readonly tx: TransactionHost) {}

  /**
   * Opens the accounts if needed and returns their ids, keyed like
   * `accountKeyOf`. An account, once opened, keeps its id for good, so ids
   * are remembered once their transaction has committed: a posting then
   * needs no lookup at all, and a miss costs one statement for all keys.
   */
  async accountIds(keys: AccountKey[]): Promise<Map<string, string>> {
    const manager = this.tx.requireTransaction('Opening ledger accounts');
    const ids = new Map<string, string>();
    const missing = new Map<string, AccountKey>();
    for (const key of keys) {
      const known = this.knownAccountIds.get(accountKeyOf(key));
      if (known) ids.set(accountKeyOf(key), known);
      else missing.set(accountKeyOf(key), key);
    }
    if (missing.size === 0) return ids;
    const wanted = [...missing.values()];
    const columns = [
      wanted.map((k) => k.programId),
      wanted.map((k) => k.fundingLineId),
      wanted.map((k) => k.kind),
      wanted.map((k) => k.ownerId),
    ];
    await manager.query(
      `INSERT INTO ledger_accounts (program_id, funding_line_id, kind, owner_id)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[])
       ON CONFLICT ON CONSTRAINT ledger_accounts_identity DO NOTHING`,
      columns,
    );
    // A separate statement: it sees the accounts that a concurrent transaction opened and committed meanwhile.
    const rows: Array<{
      id: string;
      program_id: string;
      funding_line_id: string;
      kind: AccountKind;
      owner_id: string | null;
    }> = await manager.query(
      `SELECT a.id, a.program_id, a.funding_line_id, a.kind, a.owner_id
         FROM ledger_accounts a
         JOIN unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[]) AS w(program_id, funding_line_id, kind, owner_id)
           ON a.program_id = w.program_id AND a.funding_line_id = w.funding_line_id AND a.kind = w.kind AND a.owner_id IS NOT DISTINCT FROM w.owner_id`,
      columns,
    );
    const found = rows.map(
      (row) =>
        [
          accountKeyOf({
            programId: row.program_id,
            fundingLineId: row.funding_line_id,
            kind: row.kind,
            ownerId: row.owner_id,
          }),
          row.id,
        ] as const,
    );
    for (const [key, id] of found) ids.set(key, id);
    this.tx.afterCommit(() => found.forEach(([key, id]) => this.knownAccountIds.set(key, id)));
    return ids;
  }

  /**
   * Posts balanced transfers: each debits one account and credits another by
   * the same amount. The accounts are locked first, in id order, so that
   * transactions posting to the same accounts (consumers of several
   * partitions, HTTP requests) wait for each other instead of deadlocking.
   * Each account then moves once by the sum of its legs: the overdraft
   * checks see its balance at the end of these transfers.
   */
  async post(transfers: TransferRow[]): Promise<void> {
    const manager = this.tx.requireTransaction('Posting transfers');
    const accountIds = [...new Set(transfers.flatMap((t) => [t.debitAccountId, t.creditAccountId]))];
    await manager.query(`SELECT id FROM ledger_accounts WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`, [
      accountIds,
    ]);
    try {
      const [{ posted }]: Array<{ posted: number }> = await manager.query(
        `WITH legs AS (
           SELECT * FROM json_to_recordset($1::json)
             AS l("movementId" uuid, "programId" uuid, "fundingLineId" uuid, "debitAccountId" bigint, "creditAccountId" bigint,
                  "amountCents" bigint, kind text, "sourceEventId" uuid, reference text)
         ), changes AS (
           SELECT account_id, sum(debit)::bigint AS debits, sum(credit)::bigint AS credits
             FROM (SELECT "debitAccountId" AS account_id, "amountCents" AS debit, 0 AS credit FROM legs
                   UNION ALL
                   SELECT "creditAccountId", 0, "amountCents" FROM legs) AS moves
            GROUP BY account_id
         ), updated AS (
           UPDATE ledger_accounts a SET debits_posted = a.debits_posted + c.debits, credits_posted = a.credits_posted + c.credits
             FROM changes c WHERE a.id = c.account_id RETURNING a.id
         ), inserted AS (
           INSERT INTO ledger_transfers (movement_id, program_id, funding_line_id, debit_account_id, credit_account_id, amount_cents, kind, source_event_id, reference)
           SELECT l."movementId", l."programId", l."fundingLineId", l."debitAccountId", l."creditAccountId", l."amountCents", l.kind, l."sourceEventId", l.reference
             FROM legs l
            WHERE l."debitAccountId" IN (SELECT id FROM updated) AND l."creditAccountId" IN (SELECT id FROM updated)
           RETURNING 1
         )
         SELECT count(*)::int AS posted FROM inserted`,
        [JSON.stringify(transfers)],
      );
      if (posted !== transfers.length)
        throw new Error(`Posted ${posted} of ${transfers.length} transfers: an account is missing`);
    } catch (error) {
      const driverError = (error as { driverError?: { code?: string; constraint?: string } }).driverError;
      if (
        driverError?.code === '23514' &&
        ['balance_not_negative', 'commitment_is_a_source'].includes(driverError.constraint ?? '')
      ) {
        throw new OverdrawnAccountError(
          `A ${transfers[0]?.kind} transfer would overdraw an account: ${driverError.constraint}`,
        );
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
    const [{ total }] = await this.tx.manager.query(
      `SELECT count(*)::int AS total FROM ledger_transfers WHERE program_id = $1`,
      [programId],
    );
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
