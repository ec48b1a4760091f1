import type { ExecutionContext } from '@nestjs/common';
import { applyDecorators, createParamDecorator, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { AuthenticatedUser, Role } from './roles';

export const IS_PUBLIC = 'auth:isPublic';
export const ALLOWED_ROLES = 'auth:roles';

/** Health, docs and metrics only: every other route needs a token. Marked `x-public` in the OpenAPI document. */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension('x-public', true));

/**
 * The roles allowed on a route; a protected route without it is refused, so
 * none is open by omission. Published as `x-roles` in the OpenAPI document,
 * which the access-control tests read.
 */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ALLOWED_ROLES, roles), ApiExtension('x-roles', roles));

export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): AuthenticatedUser => {
  return context.switchToHttp().getRequest<{ user: AuthenticatedUser }>().user;
});
