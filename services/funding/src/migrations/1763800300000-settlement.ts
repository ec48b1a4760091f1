import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Settlement: who to pay (payees learnt from redemption), what is owed
 * (one item per redemption, and negative adjustments for cancellations of
 * settled redemptions), monthly runs with one statement per site, and
 * funder credit notes. The database keeps each item in at most one statement
 * and each pass with at most one live redemption item.
 */
export class Settlement1763800300000 implements MigrationInterface {
  name = 'Settlement1763800300000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE payees (
        site_id uuid PRIMARY KEY,
        name text NOT NULL,
        siret char(14),
        rna text,
        iban text,
        bic text,
        accreditation_status text NOT NULL DEFAULT 'pending' CHECK (accreditation_status IN ('pending', 'accredited', 'suspended', 'revoked')),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE settlement_runs (
        id uuid PRIMARY KEY,
        period text NOT NULL UNIQUE CHECK (period ~ '^\\d{4}-(0[1-9]|1[0-2])$'),
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL CHECK (period_end > period_start),
        status text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'paid')),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        paid_by text,
        paid_at timestamptz,
        CHECK ((status = 'paid') = (paid_at IS NOT NULL))
      )`);
    await runner.query(`CREATE SEQUENCE settlement_statement_number`);
    await runner.query(`
      CREATE TABLE settlement_statements (
        id uuid PRIMARY KEY,
        run_id uuid NOT NULL REFERENCES settlement_runs (id),
        site_id uuid NOT NULL,
        reference text NOT NULL UNIQUE,
        payee_name text NOT NULL,
        iban text,
        bic text,
        total_cents bigint NOT NULL CHECK (total_cents > 0),
        held_reason text,
        -- The run whose payment file pays it: its own, or for a held statement a later one once the site has an account.
        payment_run_id uuid REFERENCES settlement_runs (id),
        paid_at timestamptz,
        UNIQUE (run_id, site_id),
        CHECK (held_reason IS NOT NULL OR payment_run_id = run_id),
        -- A statement in a payment file has an account to pay to.
        CHECK (payment_run_id IS NULL OR (iban IS NOT NULL AND bic IS NOT NULL)),
        CHECK (paid_at IS NULL OR payment_run_id IS NOT NULL)
      )`);
    await runner.query(`CREATE INDEX settlement_statements_by_payment_run ON settlement_statements (payment_run_id)`);
    await runner.query(`
      CREATE TABLE settlement_items (
        id bigserial PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('redemption', 'adjustment')),
        redemption_id uuid NOT NULL,
        pass_id uuid NOT NULL,
        site_id uuid NOT NULL,
        program_id uuid NOT NULL REFERENCES programs (id),
        amount_cents int NOT NULL,
        -- Per funding line id, the cents of amount_cents: the same split as the ledger posting.
        shares jsonb NOT NULL,
        redeemed_at timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'settled', 'cancelled', 'reversed')),
        statement_id uuid REFERENCES settlement_statements (id),
        reverses_item_id bigint UNIQUE REFERENCES settlement_items (id),
        -- For a reversed item: the account the cancellation took the money back from.
        cancelled_from text CHECK (cancelled_from IN ('site_payable', 'site_paid')),
        cancelled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((kind = 'redemption' AND amount_cents > 0 AND reverses_item_id IS NULL)
            OR (kind = 'adjustment' AND amount_cents < 0 AND reverses_item_id IS NOT NULL AND status IN ('pending', 'settled'))),
        CHECK ((status IN ('settled', 'reversed')) = (statement_id IS NOT NULL)),
        CHECK ((status = 'reversed') = (cancelled_from IS NOT NULL))
      )`);
    await runner.query(
      `CREATE UNIQUE INDEX settlement_items_one_live_per_pass ON settlement_items (pass_id) WHERE kind = 'redemption' AND status IN ('pending', 'settled')`,
    );
    await runner.query(
      `CREATE INDEX settlement_items_pending ON settlement_items (redeemed_at) WHERE status = 'pending'`,
    );
    await runner.query(`CREATE INDEX settlement_items_by_statement ON settlement_items (statement_id)`);
    await runner.query(`
      CREATE TABLE funder_credit_notes (
        id uuid PRIMARY KEY,
        program_id uuid NOT NULL REFERENCES programs (id),
        funding_line_id uuid NOT NULL REFERENCES funding_lines (id),
        funder_id uuid NOT NULL REFERENCES funders (id),
        reference text NOT NULL UNIQUE,
        amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
        issued_by text NOT NULL,
        issued_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (program_id, funding_line_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'funder_credit_notes',
      'settlement_items',
      'settlement_statements',
      'settlement_runs',
      'payees',
    ]) {
      await runner.query(`DROP TABLE ${table}`);
    }
    await runner.query(`DROP SEQUENCE settlement_statement_number`);
  }
}
