import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { CorrelationMiddleware } from './correlation.middleware';
import { loggerParams } from './logging';
import { createMetricsRegistry, HttpMetricsMiddleware, METRICS_REGISTRY, MetricsController } from './metrics';

@Global()
@Module({})
export class ObservabilityModule implements NestModule {
  static forRoot(options: { service: string; logLevel: string }): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [LoggerModule.forRoot(loggerParams(options.service, options.logLevel))],
      controllers: [MetricsController],
      providers: [{ provide: METRICS_REGISTRY, useValue: createMetricsRegistry(options.service) }],
      exports: [METRICS_REGISTRY],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(CorrelationMiddleware, HttpMetricsMiddleware).forRoutes('*path');
  }
}
