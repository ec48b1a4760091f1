export * from './correlation';
export * from './logging';
export * from './metrics';
export * from './observability.module';
