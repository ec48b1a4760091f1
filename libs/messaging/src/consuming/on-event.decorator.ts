import { applyDecorators, UseFilters } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { AnyEventDefinition } from '@app/contracts';
import { RethrowRpcErrorsFilter } from './rethrow-rpc-errors.filter';

/**
 * Marks a consumer method as the handler of the event types it lists. It
 * receives `@Payload() events: ConsumedEvent<P>[]`: consecutive events of one
 * partition, in order, all of its types (a lone event is a list of one). It
 * runs inside the transaction that records them in the inbox, so the effects
 * and the "applied" mark commit together. When it throws, the library splits
 * the list until the failing event is alone, retries and dead-letters that
 * one only (see EventProcessor); a method whose rule takes one event at a
 * time loops with `eachEvent`.
 */
export function OnEvent(...definitions: [AnyEventDefinition, ...AnyEventDefinition[]]): MethodDecorator {
  // Nest makes one handler per pattern: the group tells which of them call the same method, so that a run of
  // events of mixed types goes to it at once.
  const extras: EventHandlerExtras = {
    handlerGroup: Symbol(definitions.map((definition) => definition.type).join(',')),
  };
  // The filter sits on each handler: a hybrid app's microservice takes no global filters once created.
  return applyDecorators(
    EventPattern(
      definitions.map((definition) => definition.type),
      extras,
    ),
    UseFilters(RethrowRpcErrorsFilter),
  );
}

/** What `@OnEvent` leaves on each of the handlers Nest makes for its patterns. */
export interface EventHandlerExtras {
  handlerGroup: symbol;
}
