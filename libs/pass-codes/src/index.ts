export * from './pass-code';
