import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pass events that come before their booklet now wait in their partition
 * (AwaitingCause) instead of a table. Parked events were already consumed:
 * dropping them would lose their money movements, so the upgrade refuses
 * while any is left.
 */
export class DropParkedPassEvents1765000000000 implements MigrationInterface {
  name = 'DropParkedPassEvents1765000000000';

  async up(runner: QueryRunner): Promise<void> {
    const [{ count }] = await runner.query(`SELECT count(*)::int AS count FROM parked_pass_events`);
    if (count > 0) {
      throw new Error(
        `${count} pass event(s) still wait for their booklet in parked_pass_events: run the previous version until ` +
          'their booklets arrive and the table is empty (or find the missing booklets), then upgrade',
      );
    }
    await runner.query(`DROP TABLE parked_pass_events`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE parked_pass_events (
        id bigserial PRIMARY KEY,
        booklet_id uuid NOT NULL,
        envelope jsonb NOT NULL,
        parked_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX parked_pass_events_by_booklet ON parked_pass_events (booklet_id, id)`);
  }
}
