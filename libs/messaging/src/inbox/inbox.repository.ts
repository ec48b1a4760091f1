import { Injectable } from '@nestjs/common';
import { preparedStatement, TransactionHost } from '@app/database';

const RECORD = preparedStatement(
  'inbox-record',
  `INSERT INTO inbox_records (consumer, event_id, event_type, processed_at)
   SELECT $1, unnest($2::uuid[]), unnest($3::text[]), clock_timestamp()
   ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id`,
);

const ALREADY_RECORDED = preparedStatement(
  'inbox-already-recorded',
  'SELECT event_id FROM inbox_records WHERE consumer = $1 AND event_id = ANY($2::uuid[])',
);

@Injectable()
export class InboxRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Records an event as applied; false when it already was (a duplicate delivery). */
  async recordOnce(consumer: string, eventId: string, eventType: string): Promise<boolean> {
    return (await this.recordMany(consumer, [{ eventId, eventType }])).has(eventId.toLowerCase());
  }

  /**
   * Records several events in one statement; returns the ids (lower case)
   * that were not recorded before: the ones to apply. The time is the
   * statement's, not the transaction's start: written last in a batch, it is
   * within milliseconds of the commit that makes the effects visible.
   */
  async recordMany(consumer: string, events: Array<{ eventId: string; eventType: string }>): Promise<Set<string>> {
    this.tx.requireTransaction('Recording an inbox entry');
    const { rows } = await this.tx.execute<{ event_id: string }>(RECORD, [
      consumer,
      events.map((e) => e.eventId),
      events.map((e) => e.eventType),
    ]);
    return new Set(rows.map((row) => row.event_id));
  }

  /** Which of these events were already applied (lower-case ids). */
  async alreadyRecorded(consumer: string, eventIds: string[]): Promise<Set<string>> {
    const { rows } = await this.tx.execute<{ event_id: string }>(ALREADY_RECORDED, [consumer, eventIds]);
    return new Set(rows.map((row) => row.event_id));
  }
}
