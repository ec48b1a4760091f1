export * from './paris-calendar';
