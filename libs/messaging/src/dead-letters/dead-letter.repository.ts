import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';
import { DeadLetter, DeadLetterState, MessageHeaders } from './dead-letter.entity';

export type NewDeadLetter = Pick<
  DeadLetter,
  | 'sourceTopic'
  | 'sourcePartition'
  | 'sourceOffset'
  | 'key'
  | 'eventId'
  | 'eventType'
  | 'error'
  | 'attempts'
  | 'rawValue'
  | 'headers'
>;

/** A dead letter as the operator sees it: where it was read, why it failed, the message as received, what became of it. */
export interface DeadLetterRecord {
  id: string;
  state: DeadLetterState;
  source: { topic: string; partition: number; offset: string; key: string | null };
  /** Null when the message was not a valid envelope. */
  eventType: string | null;
  eventId: string | null;
  /** The last error: the consumer's, or that of a replay that failed. */
  error: string;
  /** Attempts to apply it, replays included. */
  attempts: number;
  failedAt: Date;
  message: { value: string | null; headers: MessageHeaders | null };
  resolvedBy: string | null;
  resolvedAt: Date | null;
  discardReason: string | null;
  replayAttemptedBy: string | null;
  replayAttemptedAt: Date | null;
}

const COLUMNS = `id, state, source_topic, source_partition, source_offset, message_key, event_type, event_id, error,
  attempts, failed_at, raw_value, headers, resolved_by, resolved_at, discard_reason, replay_attempted_by, replay_attempted_at`;

interface Row {
  id: string;
  state: DeadLetterState;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  message_key: string | null;
  event_type: string | null;
  event_id: string | null;
  error: string;
  attempts: number;
  failed_at: Date;
  raw_value: string | null;
  headers: MessageHeaders | null;
  resolved_by: string | null;
  resolved_at: Date | null;
  discard_reason: string | null;
  replay_attempted_by: string | null;
  replay_attempted_at: Date | null;
}

function recordOf(row: Row): DeadLetterRecord {
  return {
    id: row.id,
    state: row.state,
    source: {
      topic: row.source_topic,
      partition: row.source_partition,
      offset: row.source_offset,
      key: row.message_key,
    },
    eventType: row.event_type,
    eventId: row.event_id,
    error: row.error,
    attempts: row.attempts,
    failedAt: row.failed_at,
    message: { value: row.raw_value, headers: row.headers },
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at,
    discardReason: row.discard_reason,
    replayAttemptedBy: row.replay_attempted_by,
    replayAttemptedAt: row.replay_attempted_at,
  };
}

@Injectable()
export class DeadLetterRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** False when this exact message (topic, partition, offset) was already dead-lettered. */
  async recordOnce(letter: NewDeadLetter): Promise<boolean> {
    const rows: unknown[] = await this.tx.requireTransaction('Recording a dead letter').query(
      `INSERT INTO dead_letters (source_topic, source_partition, source_offset, message_key, event_id, event_type, error, attempts, raw_value, headers)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT ON CONSTRAINT dead_letters_source_position DO NOTHING RETURNING id`,
      [
        letter.sourceTopic,
        letter.sourcePartition,
        letter.sourceOffset,
        letter.key,
        letter.eventId,
        letter.eventType,
        letter.error,
        letter.attempts,
        letter.rawValue,
        letter.headers === null ? null : JSON.stringify(letter.headers),
      ],
    );
    return rows.length === 1;
  }

  /** The dead letters still calling for an operator. */
  async countOpen(): Promise<number> {
    const [row] = await this.tx.manager.query(`SELECT count(*)::int AS count FROM dead_letters WHERE state = 'open'`);
    return row.count;
  }

  /** Open dead letters per event type (null: not a valid envelope), for checks that weigh them by what they carry. */
  async openCountsByEventType(): Promise<Array<{ eventType: string | null; count: number }>> {
    const rows: Array<{ event_type: string | null; count: number }> = await this.tx.manager.query(
      `SELECT event_type, count(*)::int AS count FROM dead_letters WHERE state = 'open'
        GROUP BY event_type ORDER BY event_type NULLS LAST`,
    );
    return rows.map((row) => ({ eventType: row.event_type, count: row.count }));
  }

  /** Newest first, optionally of one state. */
  async page(
    state: DeadLetterState | undefined,
    limit: number,
    offset: number,
  ): Promise<{ items: DeadLetterRecord[]; total: number }> {
    const rows: Row[] = await this.tx.manager.query(
      `SELECT ${COLUMNS} FROM dead_letters WHERE $1::text IS NULL OR state = $1 ORDER BY id DESC LIMIT $2 OFFSET $3`,
      [state ?? null, limit, offset],
    );
    const [{ total }] = await this.tx.manager.query(
      `SELECT count(*)::int AS total FROM dead_letters WHERE $1::text IS NULL OR state = $1`,
      [state ?? null],
    );
    return { items: rows.map(recordOf), total };
  }

  async find(id: string): Promise<DeadLetterRecord | null> {
    const [row]: Row[] = await this.tx.manager.query(`SELECT ${COLUMNS} FROM dead_letters WHERE id = $1`, [id]);
    return row ? recordOf(row) : null;
  }

  /** Locked until the transaction ends: two operators acting on one letter take turns. */
  async findForUpdate(id: string): Promise<DeadLetterRecord | null> {
    const [row]: Row[] = await this.tx
      .requireTransaction('Acting on a dead letter')
      .query(`SELECT ${COLUMNS} FROM dead_letters WHERE id = $1 FOR UPDATE`, [id]);
    return row ? recordOf(row) : null;
  }

  /** The ids of the open letters after `afterId` up to `throughId`, oldest first. */
  async openIds(afterId: string, throughId: string, limit: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.tx.manager.query(
      `SELECT id FROM dead_letters WHERE state = 'open' AND id > $1 AND id <= $2 ORDER BY id LIMIT $3`,
      [afterId, throughId, limit],
    );
    return rows.map((row) => row.id);
  }

  async lastId(): Promise<string> {
    const [{ id }] = await this.tx.manager.query(`SELECT COALESCE(max(id), 0)::text AS id FROM dead_letters`);
    return id;
  }

  async markReplayed(id: string, by: string): Promise<DeadLetterRecord> {
    return this.resolve(
      `UPDATE dead_letters SET state = 'replayed', resolved_by = $2, resolved_at = now(),
              replay_attempted_by = $2, replay_attempted_at = now()
        WHERE id = $1 AND state = 'open' RETURNING ${COLUMNS}`,
      [id, by],
    );
  }

  async markDiscarded(id: string, reason: string, by: string): Promise<DeadLetterRecord> {
    return this.resolve(
      `UPDATE dead_letters SET state = 'discarded', discard_reason = $2, resolved_by = $3, resolved_at = now()
        WHERE id = $1 AND state = 'open' RETURNING ${COLUMNS}`,
      [id, reason, by],
    );
  }

  /** A replay that failed: the letter stays open with the new error, one attempt more. */
  async recordFailedReplay(id: string, error: string, by: string): Promise<DeadLetterRecord | null> {
    const [rows]: [Row[], number] = await this.tx.manager.query(
      `UPDATE dead_letters SET error = $2, attempts = attempts + 1, replay_attempted_by = $3, replay_attempted_at = now()
        WHERE id = $1 AND state = 'open' RETURNING ${COLUMNS}`,
      [id, error, by],
    );
    return rows[0] ? recordOf(rows[0]) : null;
  }

  private async resolve(sql: string, params: unknown[]): Promise<DeadLetterRecord> {
    const [rows]: [Row[], number] = await this.tx.requireTransaction('Resolving a dead letter').query(sql, params);
    if (rows.length !== 1) throw new Error(`Dead letter ${String(params[0])} is not open`);
    return recordOf(rows[0]);
  }
}
