import type { MigrationInterface, QueryRunner } from 'typeorm';

export class KnownAgencies1763800001000 implements MigrationInterface {
  name = 'KnownAgencies1763800001000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE known_agencies (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        kind text NOT NULL,
        departement text NOT NULL,
        siret char(14) NOT NULL,
        learnt_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE known_agencies');
  }
}
