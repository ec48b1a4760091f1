import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A running rebuild renews `heartbeat_at` every few seconds. One whose
 * instance died (a crash, a kill during a deployment) stops renewing it: past
 * the lease, the next request to rebuild marks it failed, drops its unfinished
 * generation and starts, instead of being refused forever.
 */
export class RebuildHeartbeats1764200000000 implements MigrationInterface {
  name = 'RebuildHeartbeats1764200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE rebuilds ADD COLUMN heartbeat_at timestamptz NOT NULL DEFAULT now()`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE rebuilds DROP COLUMN heartbeat_at`);
  }
}
