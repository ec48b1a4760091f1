import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { Html } from './html';
import { layout, PageView } from './layout';
import { alert } from './forms';
import type { Session } from '../session/session.store';
import { WEB_CONFIG, WebConfig } from '../web.config';

/** Sends a full page, with the session's one-time message on top. */
@Injectable()
export class Renderer {
  constructor(@Inject(WEB_CONFIG) private readonly config: WebConfig) {}

  page(response: Response, session: Session | null, view: PageView, options: { status?: number } = {}): void {
    const flash = session?.flash;
    if (session) session.flash = undefined;
    const message = flash && alert(flash.kind, flash.title, flash.text, 'message');
    const body = message ? new Html(message.value + view.body.value) : view.body;
    response
      .status(options.status ?? 200)
      .type('html')
      .setHeader('Cache-Control', 'no-store')
      .send(layout({ ...view, body, session, devMode: !this.config.production }));
  }
}
