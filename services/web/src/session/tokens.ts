import { Inject, Injectable } from '@nestjs/common';
import { loadOrCreateDevKeys, mintToken, Role } from '@app/auth';
import { WEB_CONFIG, WebConfig } from '../web.config';

/**
 * Development sign-in: tokens signed with the development key the services
 * trust outside production. Production sign-in (OIDC) is not built.
 */
@Injectable()
export class DevTokens {
  private key?: Promise<string>;

  constructor(@Inject(WEB_CONFIG) private readonly config: WebConfig) {}

  get enabled(): boolean {
    return !this.config.production;
  }

  async mint(role: Role, org: string | null, subject: string): Promise<string> {
    if (!this.enabled) throw new Error('Development sign-in is disabled in production');
    this.key ??= this.config.devSigningKey
      ? Promise.resolve(this.config.devSigningKey)
      : loadOrCreateDevKeys().then((k) => k.privateKeyPem);
    const expiresIn = `${Math.floor(this.config.sessionTtlMs / 1000)}s`;
    return mintToken(await this.key, { role, org, subject, expiresIn });
  }
}
