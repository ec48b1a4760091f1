import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The guessing limit counts per site and per (site, client address), never
 * per address alone: a shared address (the web front, a library's network)
 * must not let one site's typos stop another.
 */
export class FailedAttemptsBySiteAndAddress1765300000000 implements MigrationInterface {
  name = 'FailedAttemptsBySiteAndAddress1765300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX failed_attempts_by_address');
    await runner.query(
      'CREATE INDEX failed_attempts_by_site_and_address ON failed_attempts (site_id, client_address, attempted_at)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX failed_attempts_by_site_and_address');
    await runner.query('CREATE INDEX failed_attempts_by_address ON failed_attempts (client_address, attempted_at)');
  }
}
