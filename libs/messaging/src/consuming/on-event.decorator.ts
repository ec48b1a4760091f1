import { applyDecorators, UseFilters } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { AnyEventDefinition } from '@app/contracts';
import { RethrowRpcErrorsFilter } from './rethrow-rpc-errors.filter';

/**
 * Marks a consumer method as the handler of one event type (or of several,
 * one event at a time). It runs inside a transaction with the inbox record,
 * so the effects and the "applied" mark commit together; receive the envelope
 * with `@Payload()`.
 */
export function OnEvent(...definitions: [AnyEventDefinition, ...AnyEventDefinition[]]): MethodDecorator {
  // The filter sits on each handler: a hybrid app's microservice takes no global filters once created.
  return applyDecorators(EventPattern(definitions.map((definition) => definition.type)), UseFilters(RethrowRpcErrorsFilter));
}

const BATCH_SUFFIX = ':batch';

/** The pattern an `@OnEventBatch` handler is registered under for one event type. */
export const batchPatternOf = (type: string) => `${type}${BATCH_SUFFIX}`;

/** The event type a handler pattern (`@OnEvent` or `@OnEventBatch`) stands for. */
export const eventTypeOfPattern = (pattern: string) => (pattern.endsWith(BATCH_SUFFIX) ? pattern.slice(0, -BATCH_SUFFIX.length) : pattern);

/**
 * Marks a consumer method that applies several consecutive events of one
 * partition at once (`@Payload() events: BatchedEvent[]`), inside the same
 * transaction as their inbox records: a set-based alternative to calling the
 * `@OnEvent` handlers one event at a time. Every type listed must also have an
 * `@OnEvent` handler: it applies a lone event, and each event of a batch that
 * failed, one at a time with the usual retries and dead letters.
 */
export function OnEventBatch(...definitions: [AnyEventDefinition, ...AnyEventDefinition[]]): MethodDecorator {
  // Nest makes one handler per pattern: the group tells which of them call the same method, so a batch of mixed types goes to it at once.
  const extras: BatchHandlerExtras = { batchGroup: Symbol(definitions.map((definition) => definition.type).join(',')) };
  return applyDecorators(EventPattern(definitions.map((definition) => batchPatternOf(definition.type)), extras), UseFilters(RethrowRpcErrorsFilter));
}

/** What `@OnEventBatch` leaves on each of the handlers Nest makes for its patterns. */
export interface BatchHandlerExtras {
  batchGroup: symbol;
}
