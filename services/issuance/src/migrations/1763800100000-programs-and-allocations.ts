import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What issuance knows of funding: funders' names, programs' parameters, and each agency's allocation balance. */
export class ProgramsAndAllocations1763800100000 implements MigrationInterface {
  name = 'ProgramsAndAllocations1763800100000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE funders (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        learnt_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Funding lines are kept as received: funders may be learnt after the program (another Kafka key, another partition).
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
        funding_lines jsonb NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
        opened_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz,
        CHECK (valid_from <= valid_until)
      )`);
    await runner.query(`
      CREATE TABLE allocations (
        agency_id uuid NOT NULL REFERENCES agencies (id),
        program_id uuid NOT NULL REFERENCES programs (id),
        granted_cents bigint NOT NULL DEFAULT 0 CHECK (granted_cents >= 0),
        balance_cents bigint NOT NULL DEFAULT 0 CONSTRAINT allocations_balance_non_negative CHECK (balance_cents >= 0),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (agency_id, program_id)
      )`);
    await runner.query(`
      CREATE TABLE allocation_reclaims (
        reclaim_id uuid PRIMARY KEY,
        agency_id uuid NOT NULL REFERENCES agencies (id),
        program_id uuid NOT NULL REFERENCES programs (id),
        requested_cents bigint NOT NULL CHECK (requested_cents > 0),
        released_cents bigint NOT NULL CHECK (released_cents >= 0 AND released_cents <= requested_cents),
        released_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE allocation_reclaims');
    await runner.query('DROP TABLE allocations');
    await runner.query('DROP TABLE programs');
    await runner.query('DROP TABLE funders');
  }
}
