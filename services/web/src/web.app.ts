import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, Response } from 'express';
import { Logger } from 'nestjs-pino';
import { loadWebConfig } from './web.config';
import { WebModule } from './web.module';

/** The browser assets stay in the sources: found from src/ (tests) or from dist/services/web/src (built). */
const ASSETS_DIR = [
  join(__dirname, '..', 'assets'),
  join(__dirname, '..', '..', '..', '..', 'services', 'web', 'assets'),
].find((dir) => existsSync(dir))!;
const DSFR_DIR = join(require.resolve('@gouvfr/dsfr/package.json'), '..', 'dist');

function securityHeaders(_: Request, response: Response, next: NextFunction): void {
  response.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  );
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'same-origin');
  next();
}

/** The web application (backend for frontend), built from an environment: main.ts and the tests use it. */
export async function createWebApp(env: NodeJS.ProcessEnv = process.env): Promise<NestExpressApplication> {
  const config = loadWebConfig(env);
  const app = await NestFactory.create<NestExpressApplication>(WebModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(securityHeaders);
  app.use(cookieParser());
  app.useStaticAssets(DSFR_DIR, { prefix: '/dsfr/', maxAge: '1d' });
  app.useStaticAssets(ASSETS_DIR, { prefix: '/assets/', maxAge: '1h' });
  await app.listen(config.port, config.host);
  return app;
}
