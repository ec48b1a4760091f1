// Importing this module registers every event definition.
export * from './shared/value-types';
export * from './issuance/agency-registered.event';
export * from './issuance/issuance.events';
export * from './funding/funding.events';
export * from './redemption/redemption.events';
export * from './funding/settlement.events';
