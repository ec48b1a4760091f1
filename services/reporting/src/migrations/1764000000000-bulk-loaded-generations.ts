import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A rebuild fills its new generation in bulk, then finishes it before the switch:
 *
 * - `reporting_prepare_bulk_load(n)`, on the freshly created (empty) generation,
 *   sets aside the DDL of its secondary indexes and foreign keys in
 *   `reporting_deferred_ddl` and drops them. Primary keys, unique and check
 *   constraints stay: the projection relies on them.
 * - `reporting_finish_bulk_load(n)` recreates the indexes (one sorted build each
 *   instead of an insert per row) and the foreign keys (one check of every row
 *   each), then analyzes the large tables.
 *
 * Nobody reads a generation before the switch. The table definitions stay in
 * one place, `reporting_create_generation`. (Unlogged tables, made logged at
 * the end, were measured too: no faster, as the rewrite costs what WAL saved.)
 */
export class BulkLoadedGenerations1764000000000 implements MigrationInterface {
  name = 'BulkLoadedGenerations1764000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE reporting_deferred_ddl (
        generation int NOT NULL,
        position int NOT NULL,
        ddl text NOT NULL,
        PRIMARY KEY (generation, position)
      )`);
    await runner.query(`
      CREATE FUNCTION reporting_prepare_bulk_load(generation int) RETURNS void LANGUAGE plpgsql AS $fn$
      DECLARE
        s text := format('reporting_g%s', generation);
        r record;
        n int := 0;
      BEGIN
        -- Indexes first (foreign keys are checked faster with them), then foreign keys.
        FOR r IN
          SELECT i.indexrelid::regclass AS name, pg_get_indexdef(i.indexrelid) AS definition
          FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace ns ON ns.oid = t.relnamespace
          WHERE ns.nspname = s AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
          ORDER BY i.indexrelid::regclass::text
        LOOP
          n := n + 1;
          INSERT INTO reporting_deferred_ddl VALUES (generation, n, r.definition);
          EXECUTE format('DROP INDEX %s', r.name);
        END LOOP;
        FOR r IN
          SELECT c.conrelid::regclass AS tbl, c.conname, pg_get_constraintdef(c.oid) AS definition
          FROM pg_constraint c JOIN pg_namespace ns ON ns.oid = c.connamespace
          WHERE ns.nspname = s AND c.contype = 'f'
          ORDER BY c.conrelid::regclass::text, c.conname
        LOOP
          n := n + 1;
          INSERT INTO reporting_deferred_ddl VALUES (generation, n, format('ALTER TABLE %s ADD CONSTRAINT %I %s', r.tbl, r.conname, r.definition));
          EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.tbl, r.conname);
        END LOOP;
      END $fn$`);
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

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP FUNCTION reporting_finish_bulk_load(int)');
    await runner.query('DROP FUNCTION reporting_prepare_bulk_load(int)');
    await runner.query('DROP TABLE reporting_deferred_ddl');
  }
}
