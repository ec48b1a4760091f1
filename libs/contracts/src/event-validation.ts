import { plainToInstance } from 'class-transformer';
import type { ValidationError } from 'class-validator';
import { isIn, isInt, isNotEmpty, isObject, isString, isUUID, matches, validateSync } from 'class-validator';
import { EventEnvelope } from './envelope';
import { SERVICE_NAMES } from './services';
import type { EventDefinition, PayloadClass } from './event-definition';
import { findEventDefinition } from './event-definition';
import { isStrictIsoTimestamp } from './iso-timestamp';
import type { PayloadCheck } from './payload-check';
import { compilePayloadCheck } from './payload-check';

export type EventCheck =
  | { valid: true; envelope: EventEnvelope; definition: EventDefinition }
  | { valid: false; reason: string; envelope?: EventEnvelope };

function describe(errors: ValidationError[], path = ''): string[] {
  return errors.flatMap((error) => {
    const here = path ? `${path}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => `${here}: ${message}`);
    return [...own, ...describe(error.children ?? [], here)];
  });
}

/**
 * The envelope's class-validator rules (envelope.ts), written out: true only
 * when validateSync would find nothing; anything else goes through
 * class-validator, which then gives the verdict and the reason.
 */
function envelopeSurelyValid(raw: Record<string, unknown>): boolean {
  return (
    isUUID(raw.eventId) &&
    isString(raw.type) &&
    matches(raw.type, /^[A-Z][A-Za-z0-9]+$/) &&
    isInt(raw.schemaVersion) &&
    (raw.schemaVersion as number) >= 1 &&
    isStrictIsoTimestamp(raw.occurredAt) &&
    isIn(raw.producer, SERVICE_NAMES) &&
    isString(raw.key) &&
    isNotEmpty(raw.key) &&
    isString(raw.correlationId) &&
    isNotEmpty(raw.correlationId) &&
    (raw.causationId === null || raw.causationId === undefined || isString(raw.causationId)) &&
    isObject(raw.payload)
  );
}

/**
 * Validates an envelope, then its payload against the declared class of its
 * type and version. Every consumer checks every message, so the common case
 * (a valid envelope, a flat payload) is proven by compiled checks of the same
 * rules; whatever they cannot prove goes through class-validator as before.
 */
export function checkEvent(raw: unknown): EventCheck {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { valid: false, reason: 'message is not a JSON object' };
  }
  let envelope: EventEnvelope;
  if (envelopeSurelyValid(raw as Record<string, unknown>)) {
    envelope = Object.assign(new EventEnvelope(), raw);
  } else {
    envelope = plainToInstance(EventEnvelope, raw);
    const envelopeErrors = validateSync(envelope, { forbidUnknownValues: true });
    if (envelopeErrors.length > 0) {
      return { valid: false, reason: `invalid envelope: ${describe(envelopeErrors).join('; ')}` };
    }
  }
  const definition = findEventDefinition(envelope.type, envelope.schemaVersion);
  if (!definition) {
    return { valid: false, envelope, reason: `unknown event ${envelope.type} v${envelope.schemaVersion}` };
  }
  let payload: object;
  if (payloadCheckOf(definition)?.(envelope.payload)) {
    // A flat class without defaults or transforms: what plainToInstance would build.
    payload = Object.assign(new definition.payload(), envelope.payload);
  } else {
    payload = plainToInstance(definition.payload, envelope.payload);
    const payloadErrors = validateSync(payload, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
    });
    if (payloadErrors.length > 0) {
      return {
        valid: false,
        envelope,
        reason: `invalid ${envelope.type} payload: ${describe(payloadErrors).join('; ')}`,
      };
    }
  }
  if (envelope.producer !== definition.producer) {
    return {
      valid: false,
      envelope,
      reason: `${envelope.type} is produced by ${definition.producer}, not ${envelope.producer}`,
    };
  }
  const aggregateId = String((payload as Record<string, unknown>)[definition.keyField]);
  if (envelope.key !== aggregateId) {
    return {
      valid: false,
      envelope,
      reason: `envelope key ${envelope.key} is not the payload's ${definition.keyField} ${aggregateId}`,
    };
  }
  envelope.payload = payload as Record<string, unknown>;
  return { valid: true, envelope, definition };
}

/** Used by producers: an event that would fail its consumers' validation is never written. */
export function assertValidPayload<P extends object>(definition: EventDefinition<P>, payload: P): void {
  const instance = plainToInstance(definition.payload, payload);
  const errors = validateSync(instance as object, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  });
  if (errors.length > 0) {
    throw new Error(`Refusing to publish an invalid ${definition.type}: ${describe(errors).join('; ')}`);
  }
}

const payloadChecks = new Map<PayloadClass<object>, PayloadCheck | null>();

/**
 * assertValidPayload for many payloads at the cost of a few property checks
 * each: a payload the compiled check cannot prove valid goes through the full
 * validation, which refuses it with the usual message.
 */
export function assertValidPayloads<P extends object>(definition: EventDefinition<P>, payloads: readonly P[]): void {
  const check = payloadCheckOf(definition);
  for (const payload of payloads) {
    if (!check || !check(payload)) assertValidPayload(definition, payload);
  }
}

/** The compiled check of a payload class, made once; null when only class-validator can judge it. */
function payloadCheckOf(definition: Pick<EventDefinition, 'payload'>): PayloadCheck | null {
  let check = payloadChecks.get(definition.payload);
  if (check === undefined) {
    check = compilePayloadCheck(definition.payload);
    payloadChecks.set(definition.payload, check);
  }
  return check;
}
