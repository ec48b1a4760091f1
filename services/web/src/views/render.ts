import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { Html } from './html';
import { layout } from './layout';
import { alert } from './forms';
import type { Session } from '../session/session.store';
import { WEB_CONFIG, WebConfig } from '../web.config';

/** Sends a full page, with the session's one-time message on top. */
@Injectable()
export class Renderer {
  constructor(@Inject(WEB_CONFIG) private readonly config: WebConfig) {}

  page(response: Response, session: Session | null, title: string, body: Html, options: { status?: number; scripts?: string[] } = {}): void {
    const flash = session?.flash;
    if (session) session.flash = undefined;
    const content = flash ? new Html(alert(flash.kind, flash.title, flash.text, 'message').value + body.value) : body;
    response
      .status(options.status ?? 200)
      .type('html')
      .setHeader('Cache-Control', 'no-store')
      .send(layout({ title, body: content, session, devMode: !this.config.production, scripts: options.scripts }));
  }
}
