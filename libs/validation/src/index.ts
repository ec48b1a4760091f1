export * from './siret';
export * from './departement';
export * from './decorators';
export * from './iban';
export * from './bic';
export * from './rna';
export * from './calendar-date';
export * from './control-character';
