import { applyDecorators, UseFilters } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { AnyEventDefinition } from '@app/contracts';
import { RethrowRpcErrorsFilter } from './rethrow-rpc-errors.filter';

/**
 * Marks a consumer method as the handler of one event type. It runs inside a
 * transaction with the inbox record, so the effects and the "applied" mark
 * commit together; receive the envelope with `@Payload()`.
 */
export function OnEvent(definition: AnyEventDefinition): MethodDecorator {
  // The filter sits on each handler: a hybrid app's microservice takes no global filters once created.
  return applyDecorators(EventPattern(definition.type), UseFilters(RethrowRpcErrorsFilter));
}
