// Importing this module registers every event definition.
export * from './issuance/agency-registered.event';
