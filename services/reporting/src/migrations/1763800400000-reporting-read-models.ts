import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read models live in one schema per generation (`reporting_g<n>`), created by
 * `reporting_create_generation(n)`: a rebuild fills a new generation while the
 * API reads the active one, then `reporting_state` switches over in one update.
 */
export class ReportingReadModels1763800400000 implements MigrationInterface {
  name = 'ReportingReadModels1763800400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE FUNCTION reporting_create_generation(generation int) RETURNS text LANGUAGE plpgsql AS $fn$
      DECLARE s text := format('reporting_g%s', generation);
      BEGIN
        EXECUTE format('CREATE SCHEMA %I', s);
        EXECUTE format($ddl$
          CREATE TABLE %1$I.events (
            event_id uuid PRIMARY KEY,
            type text NOT NULL,
            producer text NOT NULL CHECK (producer IN ('issuance', 'redemption', 'funding')),
            occurred_at timestamptz NOT NULL,
            source_partition int NOT NULL CHECK (source_partition >= 0),
            source_offset bigint NOT NULL CHECK (source_offset >= 0),
            org_kind text NOT NULL CHECK (org_kind IN ('agency', 'site', 'funder', 'funding', 'system')),
            org_id uuid,
            program_id uuid,
            booklet_id uuid,
            pass_id uuid
          );
          CREATE INDEX ON %1$I.events (pass_id) WHERE pass_id IS NOT NULL;
          CREATE INDEX ON %1$I.events (booklet_id) WHERE booklet_id IS NOT NULL;
          CREATE INDEX ON %1$I.events (occurred_at);
          CREATE TABLE %1$I.funders (funder_id uuid PRIMARY KEY, name text NOT NULL, kind text NOT NULL);
          CREATE TABLE %1$I.programs (
            program_id uuid PRIMARY KEY,
            name text NOT NULL,
            face_value_cents int NOT NULL CHECK (face_value_cents > 0),
            booklet_size int NOT NULL CHECK (booklet_size > 0),
            valid_from date NOT NULL,
            valid_until date NOT NULL,
            tolerance_days int NOT NULL CHECK (tolerance_days >= 0),
            territory text[] NOT NULL,
            budget_cents bigint NOT NULL CHECK (budget_cents >= 0),
            closed boolean NOT NULL DEFAULT false,
            opened_at timestamptz NOT NULL
          );
          CREATE TABLE %1$I.funding_lines (
            funding_line_id uuid PRIMARY KEY,
            program_id uuid NOT NULL REFERENCES %1$I.programs,
            funder_id uuid NOT NULL,
            position int NOT NULL CHECK (position >= 0),
            share_basis_points int NOT NULL CHECK (share_basis_points BETWEEN 1 AND 10000),
            budget_cents bigint NOT NULL CHECK (budget_cents >= 0),
            allocated_cents bigint NOT NULL DEFAULT 0 CHECK (allocated_cents >= 0),
            credited_cents bigint NOT NULL DEFAULT 0 CHECK (credited_cents >= 0),
            UNIQUE (program_id, position)
          );
          CREATE INDEX ON %1$I.funding_lines (funder_id);
          CREATE TABLE %1$I.agencies (agency_id uuid PRIMARY KEY, name text NOT NULL, kind text NOT NULL, departement text NOT NULL);
          CREATE TABLE %1$I.sites (site_id uuid PRIMARY KEY, name text NOT NULL, departement text NOT NULL);
          CREATE TABLE %1$I.allocations (
            program_id uuid NOT NULL REFERENCES %1$I.programs,
            agency_id uuid NOT NULL,
            allocated_cents bigint NOT NULL CHECK (allocated_cents >= 0),
            PRIMARY KEY (program_id, agency_id)
          );
          CREATE TABLE %1$I.booklets (
            booklet_id uuid PRIMARY KEY,
            program_id uuid NOT NULL REFERENCES %1$I.programs,
            agency_id uuid NOT NULL,
            issued_at timestamptz NOT NULL,
            beneficiary_ref text NOT NULL,
            age_band text,
            situation text NOT NULL,
            diagnostic_level text NOT NULL,
            pass_count int NOT NULL CHECK (pass_count > 0),
            total_cents bigint NOT NULL CHECK (total_cents > 0)
          );
          CREATE INDEX ON %1$I.booklets (program_id, issued_at);
          CREATE TABLE %1$I.passes (
            pass_id uuid PRIMARY KEY,
            booklet_id uuid NOT NULL REFERENCES %1$I.booklets,
            program_id uuid NOT NULL,
            agency_id uuid NOT NULL,
            amount_cents int NOT NULL CHECK (amount_cents > 0),
            status text NOT NULL CHECK (status IN ('issued', 'redeemed', 'voided', 'expired')),
            site_id uuid,
            redeemed_at timestamptz,
            voided_at timestamptz,
            expired_at timestamptz,
            CHECK ((status = 'redeemed') = (site_id IS NOT NULL AND redeemed_at IS NOT NULL)),
            CHECK ((status = 'voided') = (voided_at IS NOT NULL)),
            CHECK ((status = 'expired') = (expired_at IS NOT NULL))
          );
          CREATE INDEX ON %1$I.passes (program_id, status);
          CREATE INDEX ON %1$I.passes (booklet_id);
          CREATE INDEX ON %1$I.passes (redeemed_at, pass_id) WHERE status = 'redeemed';
          CREATE TABLE %1$I.settlement_statements (
            statement_id uuid PRIMARY KEY,
            site_id uuid NOT NULL,
            period text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
            total_cents bigint NOT NULL CHECK (total_cents > 0),
            held boolean NOT NULL,
            issued_at timestamptz NOT NULL,
            paid_cents bigint CHECK (paid_cents > 0),
            paid_at timestamptz,
            CHECK ((paid_cents IS NULL) = (paid_at IS NULL))
          );
          CREATE INDEX ON %1$I.settlement_statements (site_id);
        $ddl$, s);
        RETURN s;
      END $fn$`);
    await runner.query(`
      CREATE TABLE reporting_state (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        active_generation int NOT NULL CHECK (active_generation > 0)
      )`);
    await runner.query(`
      CREATE TABLE rebuilds (
        id uuid PRIMARY KEY,
        generation int NOT NULL UNIQUE CHECK (generation > 1),
        status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
        requested_by text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        replayed_events int NOT NULL DEFAULT 0,
        invalid_events int NOT NULL DEFAULT 0,
        error text,
        CHECK ((status = 'running') = (finished_at IS NULL))
      )`);
    // One rebuild at a time: a second request while one runs is refused by the database itself.
    await runner.query(`CREATE UNIQUE INDEX rebuilds_one_running ON rebuilds (status) WHERE status = 'running'`);
    await runner.query(`SELECT reporting_create_generation(1)`);
    await runner.query(`INSERT INTO reporting_state (active_generation) VALUES (1)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schemas: Array<{ nspname: string }> = await runner.query(
      `SELECT nspname FROM pg_namespace WHERE nspname ~ '^reporting_g[0-9]+$'`,
    );
    for (const { nspname } of schemas) await runner.query(`DROP SCHEMA "${nspname}" CASCADE`);
    await runner.query('DROP TABLE rebuilds');
    await runner.query('DROP TABLE reporting_state');
    await runner.query('DROP FUNCTION reporting_create_generation(int)');
  }
}
