import { Injectable } from '@nestjs/common';
import { preparedStatement, TransactionHost } from '@app/database';
import { OutboxMessage } from './outbox-message.entity';

export interface NewOutboxMessage {
  eventId: string;
  topic: string;
  key: string;
  eventType: string;
  payload: object;
  headers: Record<string, string>;
}

/** An unpublished message, its envelope as the JSON text it is sent as. */
export type PendingMessage = Pick<OutboxMessage, 'id' | 'topic' | 'key' | 'headers'> & { value: string };

/**
 * Rows per INSERT. The rows travel as one JSON array (one parameter, no
 * per-value escaping nor bind-parameter limit), so a chunk only bounds the
 * size of that text.
 */
const APPEND_CHUNK = 10_000;

/** Ids follow the order of the array (ORDER BY position), which is the order the relay publishes them in. */
const APPEND = preparedStatement(
  'outbox-append',
  `INSERT INTO outbox_messages (event_id, topic, message_key, event_type, payload, headers)
   SELECT (m->>'eventId')::uuid, m->>'topic', m->>'key', m->>'eventType', m->'payload', m->'headers'
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS rows(m, position)
    ORDER BY position`,
);

/** One relay at a time per service database; the lock lives as long as the relay's transaction. */
const TAKE_RELAY_LOCK = preparedStatement(
  'outbox-relay-lock',
  `SELECT pg_try_advisory_xact_lock(hashtext('pass-numerique:outbox-relay')) AS locked`,
);

// The envelope as text: parsing it here only to serialise it again for Kafka would cost CPU on every message.
const NEXT_BATCH = preparedStatement(
  'outbox-next-batch',
  `SELECT id, topic, message_key, payload::text AS value, headers FROM outbox_messages WHERE published_at IS NULL ORDER BY id LIMIT $1`,
);

const MARK_PUBLISHED = preparedStatement(
  'outbox-mark-published',
  `UPDATE outbox_messages SET published_at = now() WHERE id = ANY($1::bigint[])`,
);

@Injectable()
export class OutboxRepository {
  constructor(private readonly tx: TransactionHost) {}

  async append(message: NewOutboxMessage): Promise<void> {
    await this.appendMany([message]);
  }

  /**
   * Many messages in few statements: bulk work (imports, expiry) writes its
   * events at the speed of its rows, in the order of `messages`.
   */
  async appendMany(messages: NewOutboxMessage[]): Promise<void> {
    this.tx.requireTransaction('Writing to the outbox');
    for (let start = 0; start < messages.length; start += APPEND_CHUNK) {
      await this.tx.execute(APPEND, [JSON.stringify(messages.slice(start, start + APPEND_CHUNK))]);
    }
  }

  /**
   * Runs `publish` on the oldest unpublished messages, in id order, while
   * holding the relay lock, and marks them published in the same transaction.
   * Returns null when another instance holds the lock.
   */
  async publishNextBatch(
    limit: number,
    publish: (messages: PendingMessage[]) => Promise<void>,
  ): Promise<number | null> {
    return this.tx.run(async () => {
      const {
        rows: [{ locked }],
      } = await this.tx.execute<{ locked: boolean }>(TAKE_RELAY_LOCK, []);
      if (!locked) return null;
      const { rows } = await this.tx.execute<{
        id: string;
        topic: string;
        message_key: string;
        value: string;
        headers: Record<string, string>;
      }>(NEXT_BATCH, [limit]);
      if (rows.length === 0) return 0;
      await publish(
        rows.map((row) => ({
          id: row.id,
          topic: row.topic,
          key: row.message_key,
          value: row.value,
          headers: row.headers,
        })),
      );
      await this.tx.execute(MARK_PUBLISHED, [rows.map((r) => r.id)]);
      return rows.length;
    });
  }

  async backlog(): Promise<{ count: number; oldestAgeSeconds: number }> {
    const [row] = await this.tx.manager.query(
      `SELECT count(*)::int AS count,
              COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float AS oldest
         FROM outbox_messages WHERE published_at IS NULL`,
    );
    return { count: row.count, oldestAgeSeconds: row.oldest };
  }

  /** Published rows are only kept for inspection for a while. */
  async deletePublishedBefore(cutoff: Date): Promise<void> {
    await this.tx.manager.query(`DELETE FROM outbox_messages WHERE published_at < $1`, [cutoff]);
  }
}
