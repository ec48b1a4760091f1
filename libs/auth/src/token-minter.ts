import { randomUUID } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import { DEFAULT_AUDIENCE, DEV_ISSUER, TOKEN_ALGORITHM } from './dev-keys';
import type { Role } from './roles';

export interface TokenRequest {
  role: Role;
  org?: string | null;
  subject?: string;
  expiresIn?: string | number;
  issuer?: string;
  audience?: string;
}

/** Mints tokens for development and tests; production tokens come from the OIDC provider. */
export async function mintToken(privateKeyPem: string, request: TokenRequest): Promise<string> {
  const key = await importPKCS8(privateKeyPem, TOKEN_ALGORITHM);
  const claims: Record<string, unknown> = { role: request.role };
  if (request.org) claims.org = request.org;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: 'JWT' })
    .setSubject(request.subject ?? `dev-${request.role}-${randomUUID().slice(0, 8)}`)
    .setIssuer(request.issuer ?? DEV_ISSUER)
    .setAudience(request.audience ?? DEFAULT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(request.expiresIn ?? '8h')
    .sign(key);
}
