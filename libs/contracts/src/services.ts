/** The services of the platform; each is the single producer of its own topic. */
export const SERVICE_NAMES = ['issuance', 'redemption', 'funding', 'reporting'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
