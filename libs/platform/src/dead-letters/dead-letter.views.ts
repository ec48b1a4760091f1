import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, Length, ValidationArguments } from 'class-validator';
import { DEAD_LETTER_STATES, DeadLetterState, MessageHeaders } from '@app/messaging';
import { PageQuery } from '../page-query';

export const DISCARD_REASON_MAX_LENGTH = 500;

export class ListDeadLettersQuery extends PageQuery(200) {
  @ApiPropertyOptional({ enum: DEAD_LETTER_STATES, description: 'Only the dead letters in this state' })
  @IsOptional()
  @IsIn(DEAD_LETTER_STATES, { message: 'state doit valoir open, replayed ou discarded' })
  state?: DeadLetterState;
}

export class DiscardDeadLetterDto {
  @ApiProperty({
    example: 'Message de test envoyé par erreur sur le sujet de production',
    minLength: 1,
    maxLength: DISCARD_REASON_MAX_LENGTH,
    description: 'Why nothing needs to be applied (trimmed): kept with the dead letter',
  })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  // One rule, so that a person reads one message: missing, blank or not text, or too long.
  @Length(1, DISCARD_REASON_MAX_LENGTH, {
    message: ({ value }: ValidationArguments) =>
      typeof value === 'string' && value.length > DISCARD_REASON_MAX_LENGTH
        ? `Le motif ne doit pas dépasser ${DISCARD_REASON_MAX_LENGTH} caractères.`
        : 'Indiquez pourquoi ce message peut être écarté (reason).',
  })
  reason: string;
}

class DeadLetterSourceView {
  @ApiProperty({ example: 'pass.redemption.events' }) topic: string;
  @ApiProperty() partition: number;
  @ApiProperty({ example: '1042' }) offset: string;
  @ApiProperty({ nullable: true, type: String }) key: string | null;
}

class DeadLetterMessageView {
  @ApiProperty({ nullable: true, type: String, description: 'The message value as received' })
  value: string | null;

  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    description: 'The Kafka headers as received (null for a dead letter recorded before headers were kept)',
  })
  headers: MessageHeaders | null;
}

export class DeadLetterView {
  @ApiProperty({ example: '12' }) id: string;

  @ApiProperty({
    enum: DEAD_LETTER_STATES,
    description: 'open: calls for an operator; replayed: applied (or found already applied); discarded: with a reason',
  })
  state: DeadLetterState;

  @ApiProperty({ type: DeadLetterSourceView }) source: DeadLetterSourceView;

  @ApiProperty({ nullable: true, type: String, description: 'Null when the message is not a valid event envelope' })
  eventType: string | null;

  @ApiProperty({ nullable: true, type: String }) eventId: string | null;

  @ApiProperty({ description: "The last error: the consumer's, or that of a replay that failed" })
  error: string;

  @ApiProperty({ description: 'Attempts to apply it, replays included' }) attempts: number;
  @ApiProperty() failedAt: Date;
  @ApiProperty({ type: DeadLetterMessageView }) message: DeadLetterMessageView;

  @ApiProperty({ nullable: true, type: String, description: 'Who replayed or discarded it (token subject)' })
  resolvedBy: string | null;

  @ApiProperty({ nullable: true, type: Date }) resolvedAt: Date | null;
  @ApiProperty({ nullable: true, type: String }) discardReason: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'Who asked for the last replay, even one that failed' })
  replayAttemptedBy: string | null;

  @ApiProperty({ nullable: true, type: Date }) replayAttemptedAt: Date | null;
}

export class DeadLetterPageView {
  @ApiProperty({ type: [DeadLetterView], description: 'Newest first' }) items: DeadLetterView[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
}

export const REPLAY_OUTCOMES = ['applied', 'duplicate'] as const;
export type ReplayOutcome = (typeof REPLAY_OUTCOMES)[number];

export class ReplayedDeadLetterView extends DeadLetterView {
  @ApiProperty({
    enum: REPLAY_OUTCOMES,
    description: 'applied: its effects are now in; duplicate: it had been applied meanwhile, nothing changed',
  })
  outcome: ReplayOutcome;
}

class ReplayedIdView {
  @ApiProperty() id: string;
  @ApiProperty({ enum: REPLAY_OUTCOMES }) outcome: ReplayOutcome;
}

class ReplayFailureView {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'Why it still cannot be applied: it stays open with this error' }) error: string;
}

export class ReplayAllView {
  @ApiProperty({ type: [ReplayedIdView] }) replayed: ReplayedIdView[];
  @ApiProperty({ type: [ReplayFailureView] }) failed: ReplayFailureView[];
}
