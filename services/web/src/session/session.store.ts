import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Role } from '@app/auth';
import { WEB_CONFIG, WebConfig } from '../web.config';

export interface RecentRedemption {
  redemptionId: string;
  redeemedAt: string;
  totalCents: number;
  /** The last four symbols only: the full codes never stay on the server. */
  codeEnds: string[];
}

export interface Session {
  id: string;
  role: Role;
  org: string | null;
  orgName: string | null;
  /** The user's bearer token: kept here, never sent to the browser. */
  token: string;
  csrf: string;
  expiresAt: number;
  flash?: { kind: 'success' | 'error' | 'info'; title: string; text?: string };
  recentRedemptions: RecentRedemption[];
}

export const SESSION_COOKIE = 'pn_session';

/**
 * Sessions in this process's memory: lost on restart and not shared between
 * instances (one instance, or sticky sessions, until a shared store is needed).
 */
@Injectable()
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(@Inject(WEB_CONFIG) private readonly config: WebConfig) {}

  create(fields: Pick<Session, 'role' | 'org' | 'orgName' | 'token'>): Session {
    this.sweep();
    const session: Session = {
      ...fields,
      id: randomBytes(32).toString('base64url'),
      csrf: randomBytes(24).toString('base64url'),
      expiresAt: Date.now() + this.config.sessionTtlMs,
      recentRedemptions: [],
    };
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: string | undefined): Session | null {
    if (!id) return null;
    const session = this.sessions.get(id);
    if (!session) return null;
    if (session.expiresAt <= Date.now()) {
      this.sessions.delete(id);
      return null;
    }
    return session;
  }

  destroy(id: string): void {
    this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
  }
}
