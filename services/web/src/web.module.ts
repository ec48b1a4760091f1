import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ObservabilityModule } from '@app/observability';
import { BackendClient } from './backend/backend.client';
import { CallerAddressMiddleware } from './backend/caller-address.middleware';
import { CounselorController } from './pages/counselor.controller';
import { DashboardController } from './pages/dashboard.controller';
import { HealthController } from './pages/health.controller';
import { OperatorController } from './pages/operator.controller';
import { SignInController } from './pages/sign-in.controller';
import { SiteController } from './pages/site.controller';
import { SessionGuard } from './session/session.guard';
import { SessionStore } from './session/session.store';
import { DevTokens } from './session/tokens';
import { Renderer } from './views/render';
import { WEB_CONFIG, WebConfig } from './web.config';
import { WebErrorsFilter } from './web-errors.filter';

@Module({})
export class WebModule implements NestModule {
  static forRoot(config: WebConfig): DynamicModule {
    return {
      module: WebModule,
      imports: [ObservabilityModule.forRoot({ service: 'web', logLevel: config.logLevel })],
      controllers: [
        HealthController,
        SignInController,
        CounselorController,
        SiteController,
        DashboardController,
        OperatorController,
      ],
      providers: [
        { provide: WEB_CONFIG, useValue: config },
        SessionStore,
        DevTokens,
        BackendClient,
        Renderer,
        { provide: APP_GUARD, useClass: SessionGuard },
        { provide: APP_FILTER, useClass: WebErrorsFilter },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(CallerAddressMiddleware).forRoutes('*path');
  }
}
