import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Agencies1763800001000 implements MigrationInterface {
  name = 'Agencies1763800001000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE agencies (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('france_travail', 'caf', 'ccas', 'town_hall', 'association', 'other')),
        departement text NOT NULL,
        siret char(14) NOT NULL UNIQUE,
        registered_by text NOT NULL,
        registered_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE agencies');
  }
}
