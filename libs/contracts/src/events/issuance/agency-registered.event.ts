import { IsIn, IsString, IsUUID, Length } from 'class-validator';
import { IsDepartementCode, IsSiret } from '@app/validation';
import { defineEvent } from '../../event-definition';
import { Topics } from '../../topics';

export const AGENCY_KINDS = ['france_travail', 'caf', 'ccas', 'town_hall', 'association', 'other'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

export class AgencyRegisteredV1 {
  @IsUUID()
  agencyId: string;

  @IsString()
  @Length(2, 200)
  name: string;

  @IsIn(AGENCY_KINDS)
  kind: AgencyKind;

  @IsDepartementCode()
  departement: string;

  @IsSiret()
  siret: string;
}

export const AgencyRegistered = defineEvent({
  type: 'AgencyRegistered',
  schemaVersion: 1,
  producer: 'issuance',
  topic: Topics.issuance,
  payload: AgencyRegisteredV1,
  keyField: 'agencyId',
  description:
    'An agency (France Travail, CAF, CCAS, town hall…) was registered by the operator; its counselors may issue booklets.',
});
