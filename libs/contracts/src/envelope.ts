import {
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Min,
} from 'class-validator';
import { SERVICE_NAMES, ServiceName } from './services';

/** The one envelope every message carries (architecture §3). */
export class EventEnvelope<P extends object = Record<string, unknown>> {
  /** Idempotency key: consumers record it in their inbox. */
  @IsUUID()
  eventId: string;

  /** Past tense, e.g. `BookletIssued`. */
  @IsString()
  @Matches(/^[A-Z][A-Za-z0-9]+$/)
  type: string;

  @IsInt()
  @Min(1)
  schemaVersion: number;

  @IsISO8601({ strict: true })
  occurredAt: string;

  @IsIn(SERVICE_NAMES)
  producer: ServiceName;

  /** The aggregate id, also the Kafka message key. */
  @IsString()
  @IsNotEmpty()
  key: string;

  @IsString()
  @IsNotEmpty()
  correlationId: string;

  /** The event or request that caused this one, when known. */
  @IsOptional()
  @IsString()
  causationId: string | null;

  @IsObject()
  payload: P;
}

/** Kafka header names mirrored from the envelope, so tools can route without parsing. */
export const EventHeaders = {
  eventId: 'event-id',
  type: 'event-type',
  schemaVersion: 'schema-version',
  correlationId: 'correlation-id',
} as const;
