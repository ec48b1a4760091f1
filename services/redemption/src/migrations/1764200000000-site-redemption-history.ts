import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A site lists its own redemptions, newest first (GET /redemptions): one index probe per page instead of a scan. */
export class SiteRedemptionHistory1764200000000 implements MigrationInterface {
  name = 'SiteRedemptionHistory1764200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      'CREATE INDEX redemptions_site_id_redeemed_at_idx ON redemptions (site_id, redeemed_at DESC, id DESC)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX redemptions_site_id_redeemed_at_idx');
  }
}
