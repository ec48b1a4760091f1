export * from './database-url';
export * from './transaction-host';
export * from './database.module';
export * from './database-errors';
