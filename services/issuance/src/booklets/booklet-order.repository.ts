import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';
import { IdempotencyClaims, IdempotencyKey } from '@app/platform';

export interface BookletOrderRow {
  id: string;
  programId: string;
  agencyId: string;
  bookletCount: number;
  totalCents: number;
  orderedBy: string;
  orderedAt: Date;
}

const ORDER_COLUMNS = `id, program_id AS "programId", agency_id AS "agencyId",
  booklet_count AS "bookletCount", total_cents::float8 AS "totalCents", ordered_by AS "orderedBy", ordered_at AS "orderedAt"`;

/** Booklet orders, and an agency's idempotency keys (`booklet_order_requests`), each with the order it answered. */
@Injectable()
export class BookletOrderRepository implements IdempotencyClaims<{ order: BookletOrderRow }> {
  constructor(private readonly tx: TransactionHost) {}

  async claim(agencyId: string, key: IdempotencyKey, fingerprint: string): Promise<boolean> {
    const rows: unknown[] = await this.tx.manager.query(
      `INSERT INTO booklet_order_requests (agency_id, idempotency_key, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (agency_id, idempotency_key) DO NOTHING RETURNING true`,
      [agencyId, key, fingerprint],
    );
    return rows.length === 1;
  }

  async holder(agencyId: string, key: IdempotencyKey): Promise<{ fingerprint: string; order: BookletOrderRow } | null> {
    const rows: Array<{ fingerprint: string } & BookletOrderRow> = await this.tx.manager.query(
      `SELECT r.request_hash AS fingerprint, o.*
       FROM booklet_order_requests r CROSS JOIN LATERAL (SELECT ${ORDER_COLUMNS} FROM booklet_orders WHERE id = r.order_id) o
       WHERE r.agency_id = $1 AND r.idempotency_key = $2`,
      [agencyId, key],
    );
    if (!rows[0]) return null;
    const { fingerprint, ...order } = rows[0];
    return { fingerprint, order };
  }

  /** The order, and the answer to the key it claimed, in one statement. */
  async insert(order: Omit<BookletOrderRow, 'orderedAt'>, key: IdempotencyKey): Promise<BookletOrderRow> {
    const rows: BookletOrderRow[] = await this.tx.manager.query(
      `WITH answer AS (
         UPDATE booklet_order_requests SET order_id = $1 WHERE agency_id = $3 AND idempotency_key = $7
       )
       INSERT INTO booklet_orders (id, program_id, agency_id, booklet_count, total_cents, ordered_by)
       VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING ${ORDER_COLUMNS}`,
      [order.id, order.programId, order.agencyId, order.bookletCount, order.totalCents, order.orderedBy, key],
    );
    return rows[0];
  }

  async findById(id: string): Promise<BookletOrderRow | null> {
    const rows: BookletOrderRow[] = await this.tx.manager.query(
      `SELECT ${ORDER_COLUMNS} FROM booklet_orders WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }
}
