import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';

export interface BookletOrderRow {
  id: string;
  programId: string;
  agencyId: string;
  idempotencyKey: string | null;
  requestHash: string;
  bookletCount: number;
  totalCents: number;
  orderedBy: string;
  orderedAt: Date;
}

const ORDER_COLUMNS = `id, program_id AS "programId", agency_id AS "agencyId", idempotency_key AS "idempotencyKey", request_hash AS "requestHash",
  booklet_count AS "bookletCount", total_cents::float8 AS "totalCents", ordered_by AS "orderedBy", ordered_at AS "orderedAt"`;

@Injectable()
export class BookletOrderRepository {
  constructor(private readonly tx: TransactionHost) {}

  /**
   * Null when the agency already used this Idempotency-Key: a concurrent
   * order with the same key waits here until the first commits (then null)
   * or rolls back (then this one goes on).
   */
  async insertUnlessKeyTaken(order: Omit<BookletOrderRow, 'orderedAt'>): Promise<BookletOrderRow | null> {
    const rows: BookletOrderRow[] = await this.tx.manager.query(
      `INSERT INTO booklet_orders (id, program_id, agency_id, idempotency_key, request_hash, booklet_count, total_cents, ordered_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (agency_id, idempotency_key) DO NOTHING
       RETURNING ${ORDER_COLUMNS}`,
      [order.id, order.programId, order.agencyId, order.idempotencyKey, order.requestHash, order.bookletCount, order.totalCents, order.orderedBy],
    );
    return rows[0] ?? null;
  }

  async findByKey(agencyId: string, idempotencyKey: string): Promise<BookletOrderRow | null> {
    const rows: BookletOrderRow[] = await this.tx.manager.query(`SELECT ${ORDER_COLUMNS} FROM booklet_orders WHERE agency_id = $1 AND idempotency_key = $2`, [
      agencyId,
      idempotencyKey,
    ]);
    return rows[0] ?? null;
  }

  async findById(id: string): Promise<BookletOrderRow | null> {
    const rows: BookletOrderRow[] = await this.tx.manager.query(`SELECT ${ORDER_COLUMNS} FROM booklet_orders WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }
}
