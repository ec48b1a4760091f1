export * from './wait-for';
export * from './test-tokens';
export * from './test-scope';
