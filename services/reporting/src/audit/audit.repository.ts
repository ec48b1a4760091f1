import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';
import { schemaOf } from '../projection/generation.repository';

export interface AuditEventRow {
  event_id: string;
  type: string;
  producer: string;
  occurred_at: Date;
  org_kind: string;
  org_id: string | null;
  pass_id: string | null;
}

/** Across topics events are ordered by time; within one aggregate's partition, by offset. */
const ORDER = 'ORDER BY occurred_at, producer, source_offset';
const COLUMNS = 'event_id, type, producer, occurred_at, org_kind, org_id, pass_id';

@Injectable()
export class AuditRepository {
  constructor(private readonly tx: TransactionHost) {}

  async passOwner(generation: number, passId: string): Promise<{ bookletId: string; programId: string } | null> {
    const [row] = await this.tx.manager.query(
      `SELECT booklet_id, program_id FROM ${schemaOf(generation)}.passes WHERE pass_id = $1`,
      [passId],
    );
    return row ? { bookletId: row.booklet_id, programId: row.program_id } : null;
  }

  async bookletProgram(generation: number, bookletId: string): Promise<string | null> {
    const [row] = await this.tx.manager.query(
      `SELECT program_id FROM ${schemaOf(generation)}.booklets WHERE booklet_id = $1`,
      [bookletId],
    );
    return row?.program_id ?? null;
  }

  /** The pass's own events and its booklet's events that concern every pass (its issue). */
  passEvents(generation: number, passId: string, bookletId: string): Promise<AuditEventRow[]> {
    return this.tx.manager.query(
      `SELECT ${COLUMNS} FROM ${schemaOf(generation)}.events
       WHERE pass_id = $1 OR (booklet_id = $2 AND pass_id IS NULL) ${ORDER}`,
      [passId, bookletId],
    );
  }

  bookletEvents(generation: number, bookletId: string): Promise<AuditEventRow[]> {
    return this.tx.manager.query(
      `SELECT ${COLUMNS} FROM ${schemaOf(generation)}.events WHERE booklet_id = $1 ${ORDER}`,
      [bookletId],
    );
  }
}
