import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A request claims its idempotency key first, with the answer filled in by
 * the same transaction: the unique key itself makes a concurrent retry wait
 * for the first attempt, where an advisory lock and a lookup cost two round trips.
 * Outside that transaction nobody ever sees a claim without its answer.
 */
export class RedemptionRequestClaims1763900000000 implements MigrationInterface {
  name = 'RedemptionRequestClaims1763900000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      'ALTER TABLE redemption_requests ALTER COLUMN redemption_id DROP NOT NULL, ALTER COLUMN response DROP NOT NULL',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DELETE FROM redemption_requests WHERE response IS NULL');
    await runner.query(
      'ALTER TABLE redemption_requests ALTER COLUMN redemption_id SET NOT NULL, ALTER COLUMN response SET NOT NULL',
    );
  }
}
