export * from './paris-calendar';
export * from './operations-clock';
