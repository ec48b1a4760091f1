import 'reflect-metadata';
export * from './services';
export * from './topics';
export * from './envelope';
export * from './event-definition';
export * from './event-validation';
export * from './events';
