import {
  BeforeApplicationShutdown,
  DynamicModule,
  Global,
  INestApplication,
  Injectable,
  Logger as NestLogger,
  Module,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { TerminusModule } from '@nestjs/terminus';
import { Logger } from 'nestjs-pino';
import { AuthModule } from '@app/auth';
import { OperationsClock } from '@app/calendar';
import { DatabaseModule } from '@app/database';
import { KafkaEventServer, MESSAGING_ENTITIES, MessagingModule } from '@app/messaging';
import { ObservabilityModule } from '@app/observability';
import { DeadLettersController } from './dead-letters/dead-letters.controller';
import { DeadLettersService } from './dead-letters/dead-letters.service';
import { setupApiDocs } from './api-docs';
import { HealthController } from './health.controller';
import { relaxHeapGrowthUnderBudget } from './heap-growth';
import { HostileInputPipe } from './hostile-input';
import { createValidationPipe, HttpErrorFilter } from './http-errors';
import { ConfigurationError, loadServiceConfig, parseEnv, ServiceConfig } from './service-config';
import { SERVICE_SETTINGS, ServiceDefinition } from './service-definition';

/** Says in the logs why a service stops; the shutdown order itself is in KafkaEventServer.close. */
@Injectable()
class ShutdownLogger implements BeforeApplicationShutdown {
  private readonly logger = new NestLogger('Shutdown');

  beforeApplicationShutdown(signal?: string): void {
    this.logger.log(
      `Stopping${signal ? ` on ${signal}` : ''}: HTTP and consumers stop, in-flight work finishes, the outbox is drained, then the database closes`,
    );
  }
}

@Module({})
class ServiceRootModule {}

/** Makes the service's own settings (@Inject(SERVICE_SETTINGS)) and its OperationsClock injectable everywhere. */
@Global()
@Module({})
class ServiceSettingsModule {
  static forRoot(settings: object, clock: OperationsClock): DynamicModule {
    return {
      module: ServiceSettingsModule,
      providers: [
        { provide: SERVICE_SETTINGS, useValue: settings },
        { provide: OperationsClock, useValue: clock },
      ],
      exports: [SERVICE_SETTINGS, OperationsClock],
    };
  }
}

function rootModule(definition: ServiceDefinition, config: ServiceConfig, settings: object): DynamicModule {
  return {
    module: ServiceRootModule,
    imports: [
      ObservabilityModule.forRoot({ service: definition.name, logLevel: config.logLevel }),
      DatabaseModule.forRoot({
        url: config.databaseUrl,
        entities: [...MESSAGING_ENTITIES, ...definition.entities],
        migrations: definition.migrations,
        poolSize: config.databasePoolSize,
      }),
      MessagingModule.forRoot(config.messaging),
      AuthModule.forRoot(config.auth),
      TerminusModule,
      ServiceSettingsModule.forRoot(settings, new OperationsClock(config.clockOffsetDays)),
      definition.module,
    ],
    // Every service has health and its dead letters, whatever its own module.
    controllers: [HealthController, DeadLettersController],
    providers: [{ provide: APP_FILTER, useClass: HttpErrorFilter }, ShutdownLogger, DeadLettersService],
  };
}

/**
 * Builds a hybrid HTTP + Kafka service from its definition and an
 * environment. Used by each service's main.ts and by the tests, which run
 * several services in one process with their own configuration.
 */
export async function createServiceApp(
  definition: ServiceDefinition,
  env: NodeJS.ProcessEnv = process.env,
): Promise<INestApplication> {
  const config = await loadServiceConfig(definition.name, definition.defaultPort, env);
  const settings = definition.settings ? parseEnv(definition.settings, env, definition.name) : {};
  const app = await NestFactory.create<NestExpressApplication>(rootModule(definition, config, settings), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  // Express's default trusts no proxy: request.ip is then the peer's address, whatever X-Forwarded-For says.
  if (config.trustedProxies.length > 0) app.set('trust proxy', config.trustedProxies);
  app.useGlobalPipes(new HostileInputPipe(), createValidationPipe());
  setupApiDocs(app, definition);
  app.connectMicroservice({ strategy: app.get(KafkaEventServer) });
  await app.startAllMicroservices();
  await app.listen(config.port, config.host);
  return app;
}

/** Entry point of a service process: clear message and exit code 1 on bad configuration. */
export async function runService(definition: ServiceDefinition): Promise<void> {
  relaxHeapGrowthUnderBudget();
  try {
    const app = await createServiceApp(definition);
    // On SIGTERM/SIGINT: stop consuming, let in-flight work finish, stop the relay, then close the database.
    app.enableShutdownHooks();
    app.get(Logger).log(`${definition.name} listening on ${await app.getUrl()} (docs at /docs)`);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      console.error(error.message);
    } else {
      console.error(`The ${definition.name} service could not start:`, error);
    }
    process.exit(1);
  }
}
