import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dead letters an operator can act on: the original message's headers, and
 * whether it is still open or was replayed or discarded, by whom and when.
 * Every service's migrations list has it, after MessagingTables.
 */
export class DeadLetterResolution1765100000000 implements MigrationInterface {
  name = 'DeadLetterResolution1765100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE dead_letters
        ADD COLUMN headers jsonb,
        ADD COLUMN state text NOT NULL DEFAULT 'open'
          CONSTRAINT dead_letters_state CHECK (state IN ('open', 'replayed', 'discarded')),
        ADD COLUMN resolved_by text,
        ADD COLUMN resolved_at timestamptz,
        ADD COLUMN discard_reason text,
        ADD COLUMN replay_attempted_by text,
        ADD COLUMN replay_attempted_at timestamptz,
        ADD CONSTRAINT dead_letters_resolution CHECK (
          (state = 'open') = (resolved_at IS NULL)
          AND (state = 'open') = (resolved_by IS NULL)
          AND (state = 'discarded') = (discard_reason IS NOT NULL)
        )`);
    // Health, metrics, reconciliation and "replay all" only ever look at the open ones.
    await runner.query(`CREATE INDEX dead_letters_open ON dead_letters (id) WHERE state = 'open'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX dead_letters_open');
    await runner.query(`
      ALTER TABLE dead_letters
        DROP CONSTRAINT dead_letters_resolution,
        DROP COLUMN replay_attempted_at,
        DROP COLUMN replay_attempted_by,
        DROP COLUMN discard_reason,
        DROP COLUMN resolved_at,
        DROP COLUMN resolved_by,
        DROP COLUMN state,
        DROP COLUMN headers`);
  }
}
