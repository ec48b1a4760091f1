import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PassesAndRedemptions1763800200000 implements MigrationInterface {
  name = 'PassesAndRedemptions1763800200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE passes (
        id uuid PRIMARY KEY,
        booklet_id uuid NOT NULL,
        program_id uuid NOT NULL,
        agency_id uuid NOT NULL,
        code_hash char(64) NOT NULL UNIQUE,
        amount_cents integer NOT NULL CHECK (amount_cents > 0),
        territory text[] NOT NULL CHECK (cardinality(territory) > 0),
        valid_from date NOT NULL,
        valid_until date NOT NULL CHECK (valid_until >= valid_from),
        tolerance_days integer NOT NULL CHECK (tolerance_days BETWEEN 0 AND 366),
        status text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'redeemed', 'voided', 'expired')),
        status_changed_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The expiry job scans only passes still issued.
    await runner.query(
      `CREATE INDEX passes_issued_until ON passes ((valid_until + tolerance_days)) WHERE status = 'issued'`,
    );
    await runner.query(`
      CREATE TABLE redemptions (
        id uuid PRIMARY KEY,
        site_id uuid NOT NULL REFERENCES sites(id),
        redeemed_by text NOT NULL,
        redeemed_at timestamptz NOT NULL DEFAULT now(),
        total_cents integer NOT NULL CHECK (total_cents > 0),
        cancelled_at timestamptz,
        cancelled_by text,
        cancel_reason text,
        CHECK ((cancelled_at IS NULL) = (cancelled_by IS NULL))
      )`);
    await runner.query(`
      CREATE TABLE redemption_lines (
        redemption_id uuid NOT NULL REFERENCES redemptions(id),
        pass_id uuid NOT NULL REFERENCES passes(id),
        amount_cents integer NOT NULL CHECK (amount_cents > 0),
        -- Copied from the redemption so that the unique index below can see it.
        cancelled_at timestamptz,
        PRIMARY KEY (redemption_id, pass_id)
      )`);
    // A pass is redeemed at most once, ever: the last line of defence under any race.
    await runner.query(
      'CREATE UNIQUE INDEX redemption_lines_one_live_per_pass ON redemption_lines (pass_id) WHERE cancelled_at IS NULL',
    );
    await runner.query(`
      CREATE TABLE redemption_requests (
        site_id uuid NOT NULL REFERENCES sites(id),
        idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
        request_hash char(64) NOT NULL,
        redemption_id uuid NOT NULL REFERENCES redemptions(id),
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (site_id, idempotency_key)
      )`);
    await runner.query(`
      CREATE TABLE failed_attempts (
        id bigserial PRIMARY KEY,
        site_id uuid NOT NULL,
        client_address text NOT NULL,
        reason text NOT NULL,
        attempted_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX failed_attempts_by_site ON failed_attempts (site_id, attempted_at)');
    await runner.query('CREATE INDEX failed_attempts_by_address ON failed_attempts (client_address, attempted_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE failed_attempts');
    await runner.query('DROP TABLE redemption_requests');
    await runner.query('DROP TABLE redemption_lines');
    await runner.query('DROP TABLE redemptions');
    await runner.query('DROP TABLE passes');
  }
}
