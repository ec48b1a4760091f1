import type { SiteLabel } from '@app/contracts';

export type SiteStatus = 'pending' | 'accredited' | 'suspended' | 'revoked';

/** A mediation site as the service keeps it. */
export interface Site {
  id: string;
  name: string;
  siret: string | null;
  rna: string | null;
  address: string;
  postalCode: string;
  inseeCode: string;
  departement: string;
  contactEmail: string | null;
  contactPhone: string | null;
  iban: string | null;
  bic: string | null;
  labels: SiteLabel[];
  /** The national data set's id of an imported site; null when registered by hand. */
  sourceId: string | null;
  status: SiteStatus;
  /** Last Paris calendar day of the accreditation (YYYY-MM-DD). */
  accreditedUntil: string | null;
  registeredBy: string;
  registeredAt: Date;
  updatedAt: Date;
}

/** The fields a registration, an import or a payout change sets. */
export type SiteDetails = Pick<
  Site,
  | 'name'
  | 'siret'
  | 'rna'
  | 'address'
  | 'postalCode'
  | 'inseeCode'
  | 'departement'
  | 'contactEmail'
  | 'contactPhone'
  | 'iban'
  | 'bic'
  | 'labels'
>;
