import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Funders, programs with their funding lines, allocations, and the
 * double-entry ledger. The ledger's invariants live in the database:
 * transfers are append-only and positive, and no restricted account
 * (unallocated, allocated, outstanding, payable…) can be overdrawn.
 */
export class FundersProgramsLedger1763800200000 implements MigrationInterface {
  name = 'FundersProgramsLedger1763800200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE funders (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('state', 'departement', 'region', 'caf', 'commune', 'other')),
        siret char(14) NOT NULL UNIQUE,
        registered_by text NOT NULL,
        registered_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE programs (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        face_value_cents int NOT NULL CHECK (face_value_cents > 0),
        booklet_size int NOT NULL CHECK (booklet_size IN (5, 10)),
        valid_from date NOT NULL,
        valid_until date NOT NULL,
        tolerance_days int NOT NULL CHECK (tolerance_days BETWEEN 0 AND 366),
        territory text[] NOT NULL CHECK (cardinality(territory) > 0),
        lead_funder_id uuid NOT NULL REFERENCES funders (id),
        budget_cents bigint NOT NULL CHECK (budget_cents >= 0),
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
        opened_by text NOT NULL,
        opened_at timestamptz NOT NULL DEFAULT now(),
        closed_by text,
        closed_at timestamptz,
        closed_reason text,
        CHECK (valid_until >= valid_from)
      )`);
    await runner.query(`
      CREATE TABLE funding_lines (
        id uuid PRIMARY KEY,
        program_id uuid NOT NULL REFERENCES programs (id),
        funder_id uuid NOT NULL REFERENCES funders (id),
        share_basis_points int NOT NULL CHECK (share_basis_points BETWEEN 1 AND 10000),
        position int NOT NULL,
        UNIQUE (program_id, funder_id),
        UNIQUE (program_id, position)
      )`);
    await runner.query(`
      CREATE TABLE allocations (
        id uuid PRIMARY KEY,
        program_id uuid NOT NULL REFERENCES programs (id),
        agency_id uuid NOT NULL REFERENCES known_agencies (id),
        amount_cents bigint NOT NULL CHECK (amount_cents > 0),
        granted_by text NOT NULL,
        granted_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE allocation_reclaims (
        id uuid PRIMARY KEY,
        program_id uuid NOT NULL REFERENCES programs (id),
        agency_id uuid NOT NULL REFERENCES known_agencies (id),
        requested_cents bigint NOT NULL CHECK (requested_cents > 0),
        freed_cents bigint CHECK (freed_cents >= 0 AND freed_cents <= requested_cents),
        reason text,
        requested_by text NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz
      )`);
    await runner.query(`
      CREATE TABLE ledger_accounts (
        id bigserial PRIMARY KEY,
        program_id uuid NOT NULL REFERENCES programs (id),
        funding_line_id uuid NOT NULL REFERENCES funding_lines (id),
        kind text NOT NULL CHECK (kind IN ('funder_commitment', 'program_unallocated', 'agency_allocated', 'passes_outstanding',
                                           'site_payable', 'site_paid', 'funder_released')),
        owner_id uuid,
        debits_posted bigint NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
        credits_posted bigint NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
        CONSTRAINT ledger_accounts_identity UNIQUE NULLS NOT DISTINCT (funding_line_id, kind, owner_id),
        -- The funder's commitment is the source of a program's money: it is debited, never overdrawn the other way.
        CONSTRAINT commitment_is_a_source CHECK (kind <> 'funder_commitment' OR debits_posted >= credits_posted),
        -- Every other account holds money: it can never be overdrawn.
        CONSTRAINT balance_not_negative CHECK (kind = 'funder_commitment' OR credits_posted >= debits_posted)
      )`);
    await runner.query(`
      CREATE TABLE ledger_transfers (
        id bigserial PRIMARY KEY,
        movement_id uuid NOT NULL,
        program_id uuid NOT NULL REFERENCES programs (id),
        funding_line_id uuid NOT NULL REFERENCES funding_lines (id),
        debit_account_id bigint NOT NULL REFERENCES ledger_accounts (id),
        credit_account_id bigint NOT NULL REFERENCES ledger_accounts (id),
        amount_cents bigint NOT NULL CHECK (amount_cents > 0),
        kind text NOT NULL,
        source_event_id uuid,
        reference text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (debit_account_id <> credit_account_id),
        UNIQUE (movement_id, funding_line_id)
      )`);
    await runner.query(`CREATE INDEX ledger_transfers_by_program ON ledger_transfers (program_id, id)`);
    await runner.query(`
      CREATE FUNCTION ledger_transfers_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ledger transfers are append-only: post a reversing transfer instead';
      END $$`);
    await runner.query(`
      CREATE TRIGGER ledger_transfers_append_only BEFORE UPDATE OR DELETE ON ledger_transfers
      FOR EACH ROW EXECUTE FUNCTION ledger_transfers_are_append_only()`);
    // The money state of every pass, so a pass event is posted only from the state it leaves.
    await runner.query(`
      CREATE TABLE ledger_passes (
        pass_id uuid PRIMARY KEY,
        booklet_id uuid NOT NULL,
        program_id uuid NOT NULL REFERENCES programs (id),
        agency_id uuid NOT NULL,
        amount_cents int NOT NULL CHECK (amount_cents > 0),
        state text NOT NULL CHECK (state IN ('outstanding', 'redeemed', 'voided', 'expired')),
        site_id uuid
      )`);
    await runner.query(`CREATE INDEX ledger_passes_by_booklet ON ledger_passes (booklet_id)`);
    // Redemption events that arrived before the BookletIssued they follow (another topic): applied when it arrives.
    await runner.query(`
      CREATE TABLE parked_pass_events (
        id bigserial PRIMARY KEY,
        booklet_id uuid NOT NULL,
        envelope jsonb NOT NULL,
        parked_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX parked_pass_events_by_booklet ON parked_pass_events (booklet_id, id)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'parked_pass_events',
      'ledger_passes',
      'ledger_transfers',
      'ledger_accounts',
      'allocation_reclaims',
      'allocations',
      'funding_lines',
      'programs',
      'funders',
    ]) {
      await runner.query(`DROP TABLE ${table}`);
    }
    await runner.query('DROP FUNCTION ledger_transfers_are_append_only');
  }
}
