import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Booklets, their passes (codes sealed, hashes unique), reprints and void requests. */
export class Booklets1763800200000 implements MigrationInterface {
  name = 'Booklets1763800200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE booklets (
        id uuid PRIMARY KEY,
        program_id uuid NOT NULL REFERENCES programs (id),
        agency_id uuid NOT NULL REFERENCES agencies (id),
        beneficiary_ref text NOT NULL UNIQUE,
        age_band text CHECK (age_band IN ('under_26', '26_44', '45_59', '60_74', '75_plus')),
        situation text NOT NULL CHECK (situation IN ('job_seeker', 'rsa_recipient', 'senior', 'young_person', 'other')),
        diagnostic_level text NOT NULL CHECK (diagnostic_level IN ('no_autonomy', 'low_autonomy', 'partial_autonomy')),
        total_cents int NOT NULL CHECK (total_cents > 0),
        issued_by text NOT NULL,
        issued_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX booklets_agency_issued_at ON booklets (agency_id, issued_at DESC)');
    await runner.query('CREATE INDEX booklets_issued_at ON booklets (issued_at DESC)');
    // Only the sealed code is stored; the hash identifies it (and is what other services know).
    await runner.query(`
      CREATE TABLE passes (
        id uuid PRIMARY KEY,
        booklet_id uuid NOT NULL REFERENCES booklets (id),
        position int NOT NULL CHECK (position BETWEEN 1 AND 10),
        amount_cents int NOT NULL CHECK (amount_cents > 0),
        code_sealed bytea NOT NULL,
        code_hash char(64) NOT NULL UNIQUE CHECK (code_hash ~ '^[0-9a-f]{64}$'),
        status text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'redeemed', 'voided', 'expired')),
        status_changed_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (booklet_id, position)
      )`);
    // A booklet's status is only ever derived from its passes' statuses, which redemption decides.
    await runner.query(`
      CREATE VIEW booklet_summaries AS
      SELECT b.*, (b.issued_at AT TIME ZONE 'Europe/Paris')::date AS issued_on, c.passes_issued, c.passes_redeemed, c.passes_voided, c.passes_expired,
        CASE
          WHEN c.passes_issued = c.passes THEN 'issued'
          WHEN c.passes_voided = c.passes THEN 'voided'
          WHEN c.passes_expired = c.passes THEN 'expired'
          WHEN c.passes_issued > 0 THEN 'started'
          ELSE 'finished'
        END AS status
      FROM booklets b
      JOIN LATERAL (
        SELECT count(*)::int AS passes,
               (count(*) FILTER (WHERE p.status = 'issued'))::int AS passes_issued,
               (count(*) FILTER (WHERE p.status = 'redeemed'))::int AS passes_redeemed,
               (count(*) FILTER (WHERE p.status = 'voided'))::int AS passes_voided,
               (count(*) FILTER (WHERE p.status = 'expired'))::int AS passes_expired
        FROM passes p WHERE p.booklet_id = b.id
      ) c ON true`);
    await runner.query(`
      CREATE TABLE booklet_prints (
        id bigserial PRIMARY KEY,
        booklet_id uuid NOT NULL REFERENCES booklets (id),
        printed_by text NOT NULL,
        printed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX booklet_prints_booklet ON booklet_prints (booklet_id)');
    await runner.query(`
      CREATE TABLE void_requests (
        id uuid PRIMARY KEY,
        pass_id uuid NOT NULL REFERENCES passes (id),
        reason text NOT NULL CHECK (reason IN ('lost', 'stolen', 'issued_by_mistake', 'other')),
        comment text CHECK (char_length(comment) BETWEEN 1 AND 500),
        requested_by text NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
        rejection_reason text,
        decided_at timestamptz,
        CHECK ((status = 'rejected') = (rejection_reason IS NOT NULL))
      )`);
    // One open request per pass: a second click cannot send redemption a second request.
    await runner.query(
      `CREATE UNIQUE INDEX void_requests_one_pending_per_pass ON void_requests (pass_id) WHERE status = 'pending'`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE void_requests');
    await runner.query('DROP TABLE booklet_prints');
    await runner.query('DROP VIEW booklet_summaries');
    await runner.query('DROP TABLE passes');
    await runner.query('DROP TABLE booklets');
  }
}
