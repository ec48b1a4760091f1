import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A rebuild now finishes its generation from the service
 * (GenerationRepository.finishBulkLoad): the index builds and the analyses on
 * several connections at once, where `reporting_finish_bulk_load` ran them one
 * after the other in one transaction. The function goes; `down` brings it back.
 */
export class ParallelBulkLoadFinish1764300000000 implements MigrationInterface {
  name = 'ParallelBulkLoadFinish1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('DROP FUNCTION reporting_finish_bulk_load(int)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE FUNCTION reporting_finish_bulk_load(generation int) RETURNS void LANGUAGE plpgsql AS $fn$
      DECLARE
        s text := format('reporting_g%s', generation);
        r record;
      BEGIN
        FOR r IN SELECT d.ddl FROM reporting_deferred_ddl d WHERE d.generation = reporting_finish_bulk_load.generation ORDER BY d.position LOOP
          EXECUTE r.ddl;
        END LOOP;
        DELETE FROM reporting_deferred_ddl d WHERE d.generation = reporting_finish_bulk_load.generation;
        EXECUTE format('ANALYZE %1$I.events, %1$I.passes, %1$I.booklets', s);
      END $fn$`);
  }
}
