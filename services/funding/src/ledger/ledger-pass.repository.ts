import { Injectable } from '@nestjs/common';
import { EventEnvelope } from '@app/contracts';
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

/** Where each pass's money is, and the redemption events that came before their booklet. */
@Injectable()
export class LedgerPassRepository {
  constructor(private readonly tx: TransactionHost) {}

  /**
   * Serialises the events of one booklet across topics: without it, a pass
   * event could be parked while its booklet commits, and never be replayed.
   */
  async lockBooklet(bookletId: string): Promise<void> {
    await this.tx.requireTransaction('Locking a booklet').query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [bookletId]);
  }

  async insertOutstanding(passes: Array<Omit<LedgerPass, 'state' | 'siteId'>>): Promise<void> {
    for (const pass of passes) {
      await this.tx.manager.query(
        `INSERT INTO ledger_passes (pass_id, booklet_id, program_id, agency_id, amount_cents, state) VALUES ($1, $2, $3, $4, $5, 'outstanding')`,
        [pass.passId, pass.bookletId, pass.programId, pass.agencyId, pass.amountCents],
      );
    }
  }

  async findForUpdate(passId: string): Promise<LedgerPass | null> {
    const [row] = await this.tx.manager.query(`SELECT * FROM ledger_passes WHERE pass_id = $1 FOR UPDATE`, [passId]);
    return row
      ? { passId: row.pass_id, bookletId: row.booklet_id, programId: row.program_id, agencyId: row.agency_id, amountCents: row.amount_cents, state: row.state, siteId: row.site_id }
      : null;
  }

  async bookletKnown(bookletId: string): Promise<boolean> {
    const rows = await this.tx.manager.query(`SELECT 1 FROM ledger_passes WHERE booklet_id = $1 LIMIT 1`, [bookletId]);
    return rows.length > 0;
  }

  async setState(passId: string, state: PassMoneyState, siteId: string | null): Promise<void> {
    await this.tx.manager.query(`UPDATE ledger_passes SET state = $2, site_id = $3 WHERE pass_id = $1`, [passId, state, siteId]);
  }

  async park(bookletId: string, envelope: EventEnvelope<object>): Promise<void> {
    await this.tx.manager.query(`INSERT INTO parked_pass_events (booklet_id, envelope) VALUES ($1, $2)`, [bookletId, envelope]);
  }

  /** Takes the parked events of a booklet, oldest first, removing them. */
  async unpark<P extends object>(bookletId: string): Promise<Array<EventEnvelope<P>>> {
    // Wrapped in a SELECT: TypeORM returns [rows, count] for a bare DELETE … RETURNING.
    const rows = await this.tx.manager.query(
      `WITH taken AS (DELETE FROM parked_pass_events WHERE booklet_id = $1 RETURNING id, envelope) SELECT envelope FROM taken ORDER BY id`,
      [bookletId],
    );
    return rows.map((row: { envelope: EventEnvelope<P> }) => row.envelope);
  }
}
