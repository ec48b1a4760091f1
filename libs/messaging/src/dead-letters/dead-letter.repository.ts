import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';
import { DeadLetter } from './dead-letter.entity';

export type NewDeadLetter = Omit<DeadLetter, 'id' | 'failedAt'>;

@Injectable()
export class DeadLetterRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** False when this exact message (topic, partition, offset) was already dead-lettered. */
  async recordOnce(letter: NewDeadLetter): Promise<boolean> {
    const rows: unknown[] = await this.tx.requireTransaction('Recording a dead letter').query(
      `INSERT INTO dead_letters (source_topic, source_partition, source_offset, message_key, event_id, event_type, error, attempts, raw_value)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
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
      ],
    );
    return rows.length === 1;
  }

  async count(): Promise<number> {
    const [row] = await this.tx.manager.query(`SELECT count(*)::int AS count FROM dead_letters`);
    return row.count;
  }
}
