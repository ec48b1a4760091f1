import { Controller, Get, Inject } from '@nestjs/common';
import { SessionStore } from '../session/session.store';
import { WEB_CONFIG, WebConfig } from '../web.config';

/** Liveness with what the web application depends on: each service's /health answering (degraded, not down, when one does not). */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(WEB_CONFIG) private readonly config: WebConfig,
    private readonly sessions: SessionStore,
  ) {}

  @Get()
  async health() {
    const entries = await Promise.all(
      Object.entries(this.config.urls).map(async ([name, url]) => {
        const up = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) })
          .then((r) => r.ok)
          .catch(() => false);
        return [name, up ? 'up' : 'down'] as const;
      }),
    );
    const backends = Object.fromEntries(entries);
    return {
      status: entries.every(([, s]) => s === 'up') ? 'ok' : 'degraded',
      info: { sessions: this.sessions.size, backends },
    };
  }
}
