export * from './split';
export * from './limits';
export * from './format';
