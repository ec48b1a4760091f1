export * from './siret';
export * from './departement';
export * from './decorators';
