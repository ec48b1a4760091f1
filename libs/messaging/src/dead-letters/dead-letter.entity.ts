import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

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

  @Column({ name: 'failed_at', type: 'timestamptz', default: () => 'now()' })
  failedAt: Date;
}
