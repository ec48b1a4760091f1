import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Bulk orders of booklets: one row per order, its booklets point to it; an Idempotency-Key is unique per agency. */
export class BookletOrders1763800300000 implements MigrationInterface {
  name = 'BookletOrders1763800300000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE booklet_orders (
        id uuid PRIMARY KEY,
        program_id uuid NOT NULL REFERENCES programs (id),
        agency_id uuid NOT NULL REFERENCES agencies (id),
        idempotency_key text CHECK (char_length(idempotency_key) BETWEEN 1 AND 200),
        request_hash char(64) NOT NULL,
        booklet_count int NOT NULL CHECK (booklet_count > 0),
        total_cents bigint NOT NULL CHECK (total_cents > 0),
        ordered_by text NOT NULL,
        ordered_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (agency_id, idempotency_key)
      )`);
    // The position keeps the order's booklets in the order of its beneficiaries (an idempotent replay answers the same list).
    await runner.query(`
      ALTER TABLE booklets
        ADD COLUMN order_id uuid REFERENCES booklet_orders (id),
        ADD COLUMN order_position int CHECK (order_position BETWEEN 1 AND 500),
        ADD CHECK ((order_id IS NULL) = (order_position IS NULL))`);
    await runner.query('CREATE INDEX booklets_order ON booklets (order_id) WHERE order_id IS NOT NULL');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE booklets DROP COLUMN order_position, DROP COLUMN order_id');
    await runner.query('DROP TABLE booklet_orders');
  }
}
