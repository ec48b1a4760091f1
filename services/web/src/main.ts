import 'reflect-metadata';
import { Logger } from 'nestjs-pino';
import { ConfigurationError } from '@app/platform';
import { createWebApp } from './web.app';

async function main(): Promise<void> {
  try {
    const app = await createWebApp();
    app.enableShutdownHooks();
    app.get(Logger).log(`web listening on ${await app.getUrl()}`);
  } catch (error) {
    console.error(
      error instanceof ConfigurationError ? error.message : `The web application could not start: ${String(error)}`,
    );
    process.exit(1);
  }
}

void main();
