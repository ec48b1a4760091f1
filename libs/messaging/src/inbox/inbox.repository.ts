import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';

@Injectable()
export class InboxRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Records an event as applied; false when it already was (a duplicate delivery). */
  async recordOnce(consumer: string, eventId: string, eventType: string): Promise<boolean> {
    const rows: unknown[] = await this.tx
      .requireTransaction('Recording an inbox entry')
      .query(
        `INSERT INTO inbox_records (consumer, event_id, event_type) VALUES ($1, $2, $3)
         ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id`,
        [consumer, eventId, eventType],
      );
    return rows.length === 1;
  }
}
