import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Orders claim their Idempotency-Key before any work, as redemptions do, in a
 * table of the same shape as redemption's `redemption_requests`: the claim is
 * inserted before the order exists and gets its order in the same transaction.
 * The keys and request hashes of past orders move here. Orders sent without a
 * key (it was optional) keep no hash: without a key nothing could compare it.
 * No foreign key to agencies: an unknown agency's claim is rolled back with
 * its AGENCY_NOT_FOUND refusal.
 */
export class BookletOrderRequests1764400000000 implements MigrationInterface {
  name = 'BookletOrderRequests1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE booklet_order_requests (
        agency_id uuid NOT NULL,
        idempotency_key text NOT NULL CHECK (char_length(idempotency_key) BETWEEN 1 AND 200),
        request_hash char(64) NOT NULL,
        order_id uuid REFERENCES booklet_orders (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (agency_id, idempotency_key)
      )`);
    await runner.query(`
      INSERT INTO booklet_order_requests (agency_id, idempotency_key, request_hash, order_id, created_at)
      SELECT agency_id, idempotency_key, request_hash, id, ordered_at FROM booklet_orders WHERE idempotency_key IS NOT NULL`);
    await runner.query('ALTER TABLE booklet_orders DROP COLUMN idempotency_key, DROP COLUMN request_hash');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE booklet_orders
        ADD COLUMN idempotency_key text CHECK (char_length(idempotency_key) BETWEEN 1 AND 200),
        ADD COLUMN request_hash char(64),
        ADD UNIQUE (agency_id, idempotency_key)`);
    await runner.query(`
      UPDATE booklet_orders o SET idempotency_key = r.idempotency_key, request_hash = r.request_hash
      FROM booklet_order_requests r WHERE r.order_id = o.id`);
    // Orders without a key never had a hash anyone could compare: a placeholder restores NOT NULL.
    await runner.query(`UPDATE booklet_orders SET request_hash = repeat('0', 64) WHERE request_hash IS NULL`);
    await runner.query('ALTER TABLE booklet_orders ALTER COLUMN request_hash SET NOT NULL');
    await runner.query('DROP TABLE booklet_order_requests');
  }
}
