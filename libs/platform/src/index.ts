export * from './service-env';
export * from './service-config';
export * from './service-definition';
export * from './problem';
export * from './http-errors';
export * from './health.controller';
export * from './bootstrap';
export * from './page-query';
