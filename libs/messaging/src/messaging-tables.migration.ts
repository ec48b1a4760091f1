import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Outbox, inbox and dead letters: every service's migrations list starts with this one. */
export class MessagingTables1763800000000 implements MigrationInterface {
  name = 'MessagingTables1763800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE outbox_messages (
        id bigserial PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        topic text NOT NULL,
        message_key text NOT NULL,
        event_type text NOT NULL,
        payload jsonb NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    // The relay only ever scans what is left to publish.
    await runner.query(`CREATE INDEX outbox_messages_unpublished ON outbox_messages (id) WHERE published_at IS NULL`);
    await runner.query(`
      CREATE TABLE inbox_records (
        consumer text NOT NULL,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    await runner.query(`
      CREATE TABLE dead_letters (
        id bigserial PRIMARY KEY,
        source_topic text NOT NULL,
        source_partition int NOT NULL,
        source_offset bigint NOT NULL,
        message_key text,
        event_id text,
        event_type text,
        error text NOT NULL,
        attempts int NOT NULL,
        raw_value text,
        failed_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT dead_letters_source_position UNIQUE (source_topic, source_partition, source_offset)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE dead_letters');
    await runner.query('DROP TABLE inbox_records');
    await runner.query('DROP TABLE outbox_messages');
  }
}
