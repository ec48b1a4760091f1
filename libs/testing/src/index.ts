export * from './wait-for';
export * from './test-tokens';
export * from './test-scope';
export * from './kafka-tools';
export * from './identifiers';
export * from './service-process';
export * from './envelopes';
export * from './metrics';
