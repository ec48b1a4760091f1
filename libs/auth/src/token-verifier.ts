// jose rather than hand-written checks: signatures, expiry, issuer, audience and JWKS fetching are where a home-made JWT check goes wrong.
import type { JWTPayload, JWTVerifyGetKey, KeyLike } from 'jose';
import { isUUID } from 'class-validator';
import { createRemoteJWKSet, importSPKI, jwtVerify } from 'jose';
import { TOKEN_ALGORITHM } from './dev-keys';
import type { AuthenticatedUser, Role } from './roles';
import { ROLES } from './roles';

export interface AuthSettings {
  issuer: string;
  audience: string;
  /** Tokens without iat and exp, living longer than this (exp − iat) or issued longer ago are refused. */
  maxTokenLifetimeSeconds: number;
  /** Exactly one of these: a PEM public key, or a JWKS URL (OIDC provider). */
  publicKeyPem?: string;
  jwksUrl?: string;
}

export class InvalidTokenError extends Error {}

const ORG_REQUIRED: Role[] = ['funder', 'counselor', 'site'];
/** Distinct tokens remembered once verified; the oldest is forgotten first. */
const VERIFIED_CACHE_SIZE = 10_000;

export class TokenVerifier {
  private key?: KeyLike | JWTVerifyGetKey;
  /**
   * A site's terminal sends the same token with every request, and checking
   * an ES256 signature costs about a millisecond of CPU here: a token that
   * verified once is taken as is until its own expiry. Only verified tokens
   * enter, so a flood of forged tokens cannot evict anything useful cheaply.
   */
  private readonly verified = new Map<string, { user: AuthenticatedUser; expiresAtMs: number }>();

  constructor(private readonly settings: AuthSettings) {}

  private async verificationKey(): Promise<KeyLike | JWTVerifyGetKey> {
    if (!this.key) {
      this.key = this.settings.jwksUrl
        ? createRemoteJWKSet(new URL(this.settings.jwksUrl))
        : await importSPKI(this.settings.publicKeyPem ?? '', TOKEN_ALGORITHM);
    }
    return this.key;
  }

  async verify(token: string): Promise<AuthenticatedUser> {
    const known = this.verified.get(token);
    if (known && Date.now() < known.expiresAtMs) return known.user;
    this.verified.delete(token);
    return this.verifySignatureAndClaims(token);
  }

  private async verifySignatureAndClaims(token: string): Promise<AuthenticatedUser> {
    let payload: JWTPayload;
    try {
      const key = await this.verificationKey();
      ({ payload } = await jwtVerify(token, key as KeyLike, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: [TOKEN_ALGORITHM, 'RS256'],
        requiredClaims: ['exp', 'iat', 'sub'],
        maxTokenAge: this.settings.maxTokenLifetimeSeconds,
      }));
    } catch (error) {
      throw new InvalidTokenError((error as Error).message);
    }
    // maxTokenAge bounds the time since iat; a token must also not be made to outlive the limit.
    const lifetime = (payload.exp as number) - (payload.iat as number);
    if (lifetime > this.settings.maxTokenLifetimeSeconds)
      throw new InvalidTokenError(
        `token lives ${lifetime} s, more than the ${this.settings.maxTokenLifetimeSeconds} s allowed`,
      );
    const role = payload.role as Role;
    if (!ROLES.includes(role)) throw new InvalidTokenError(`unknown role ${String(payload.role)}`);
    const org = typeof payload.org === 'string' && payload.org.length > 0 ? payload.org : null;
    if (ORG_REQUIRED.includes(role) && !org) throw new InvalidTokenError(`a ${role} token needs an org claim`);
    // Organisations are UUIDs everywhere; any other org would reach the database as one and fail there.
    if (org !== null && !isUUID(org)) throw new InvalidTokenError('the org claim must be a UUID');
    const user: AuthenticatedUser = { subject: payload.sub as string, role, org };
    this.remember(token, user, (payload.exp as number) * 1000);
    return user;
  }

  private remember(token: string, user: AuthenticatedUser, expiresAtMs: number): void {
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { user, expiresAtMs });
  }
}
