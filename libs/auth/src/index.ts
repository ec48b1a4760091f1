export * from './roles';
export * from './decorators';
export * from './dev-keys';
export * from './token-minter';
export * from './token-verifier';
export * from './auth.guard';
export * from './org-scope';
export * from './auth.module';
