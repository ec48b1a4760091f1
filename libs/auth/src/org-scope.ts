import { ForbiddenException } from '@nestjs/common';
import type { AuthenticatedUser } from './roles';

/** The operator acts for everyone; any other caller only for its own organisation. */
export function canActFor(user: AuthenticatedUser, orgId: string): boolean {
  return user.role === 'operator' || user.org === orgId;
}

export function assertActsFor(user: AuthenticatedUser, orgId: string): void {
  if (!canActFor(user, orgId)) {
    throw new ForbiddenException({
      code: 'AUTH_ORG_FORBIDDEN',
      message: 'Cette ressource appartient à une autre organisation.',
    });
  }
}
