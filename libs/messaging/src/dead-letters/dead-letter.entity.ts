import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** Open until an operator replays it (applied, or found already applied) or discards it with a reason. */
export const DEAD_LETTER_STATES = ['open', 'replayed', 'discarded'] as const;
export type DeadLetterState = (typeof DEAD_LETTER_STATES)[number];

/** Kafka headers as received, each value as UTF-8 text (a repeated header as a list). */
export type MessageHeaders = Record<string, string | string[]>;

/** A consumed message that could not be applied, kept with its error for the operator. */
@Entity({ name: 'dead_letters' })
@Unique('dead_letters_source_position', ['sourceTopic', 'sourcePartition', 'sourceOffset'])
export class DeadLetter {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'source_topic', type: 'text' })
  sourceTopic: string;

  @Column({ name: 'source_partition', type: 'int' })
  sourcePartition: number;

  @Column({ name: 'source_offset', type: 'bigint' })
  sourceOffset: string;

  @Column({ name: 'message_key', type: 'text', nullable: true })
  key: string | null;

  @Column({ name: 'event_id', type: 'text', nullable: true })
  eventId: string | null;

  @Column({ name: 'event_type', type: 'text', nullable: true })
  eventType: string | null;

  @Column({ type: 'text' })
  error: string;

  @Column({ type: 'int' })
  attempts: number;

  /** The original message value, as received. */
  @Column({ name: 'raw_value', type: 'text', nullable: true })
  rawValue: string | null;

  /** The original message headers, as received (null for letters recorded before they were kept). */
  @Column({ type: 'jsonb', nullable: true })
  headers: MessageHeaders | null;

  @Column({ name: 'failed_at', type: 'timestamptz', default: () => 'now()' })
  failedAt: Date;

  @Column({ type: 'text', default: 'open' })
  state: DeadLetterState;

  /** Who replayed or discarded it (the token's subject), and when. */
  @Column({ name: 'resolved_by', type: 'text', nullable: true })
  resolvedBy: string | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ name: 'discard_reason', type: 'text', nullable: true })
  discardReason: string | null;

  /** The last replay asked for, whether it worked or left the letter open with a new error. */
  @Column({ name: 'replay_attempted_by', type: 'text', nullable: true })
  replayAttemptedBy: string | null;

  @Column({ name: 'replay_attempted_at', type: 'timestamptz', nullable: true })
  replayAttemptedAt: Date | null;
}
