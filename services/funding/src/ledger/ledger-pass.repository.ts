import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';

export type PassMoneyState = 'outstanding' | 'redeemed' | 'voided' | 'expired';

export interface LedgerPass {
  passId: string;
  bookletId: string;
  programId: string;
  agencyId: string;
  amountCents: number;
  state: PassMoneyState;
  siteId: string | null;
}

/** Where each pass's money is. */
@Injectable()
export class LedgerPassRepository {
  constructor(private readonly tx: TransactionHost) {}

  async insertOutstanding(passes: Array<Omit<LedgerPass, 'state' | 'siteId'>>): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO ledger_passes (pass_id, booklet_id, program_id, agency_id, amount_cents, state)
       SELECT "passId", "bookletId", "programId", "agencyId", "amountCents", 'outstanding'
         FROM json_to_recordset($1::json) AS p("passId" uuid, "bookletId" uuid, "programId" uuid, "agencyId" uuid, "amountCents" int)`,
      [JSON.stringify(passes)],
    );
  }

  /** The passes found, by id, locked in one order. */
  async findForUpdate(passIds: string[]): Promise<Map<string, LedgerPass>> {
    const rows = await this.tx.manager.query(
      `SELECT * FROM ledger_passes WHERE pass_id = ANY($1::uuid[]) ORDER BY pass_id FOR UPDATE`,
      [[...new Set(passIds)]],
    );
    return new Map(
      rows.map((row: Record<string, never>) => [
        row.pass_id,
        {
          passId: row.pass_id,
          bookletId: row.booklet_id,
          programId: row.program_id,
          agencyId: row.agency_id,
          amountCents: row.amount_cents,
          state: row.state,
          siteId: row.site_id,
        },
      ]),
    );
  }

  /** Which of these booklets have their passes here. */
  async knownBooklets(bookletIds: string[]): Promise<Set<string>> {
    const rows = await this.tx.manager.query(
      `SELECT DISTINCT booklet_id FROM ledger_passes WHERE booklet_id = ANY($1::uuid[])`,
      [[...new Set(bookletIds)]],
    );
    return new Set(rows.map((row: { booklet_id: string }) => row.booklet_id));
  }

  async setStates(passes: Array<Pick<LedgerPass, 'passId' | 'state' | 'siteId'>>): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ledger_passes p SET state = c.state, site_id = c."siteId"
         FROM json_to_recordset($1::json) AS c("passId" uuid, state text, "siteId" uuid)
        WHERE p.pass_id = c."passId"`,
      [JSON.stringify(passes)],
    );
  }
}
