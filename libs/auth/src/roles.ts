export const ROLES = ['operator', 'funder', 'counselor', 'site'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, from a verified token. `org` is the funder, agency or site id (null for the operator). */
export interface AuthenticatedUser {
  subject: string;
  role: Role;
  org: string | null;
}
