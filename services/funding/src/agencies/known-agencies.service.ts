import { Injectable } from '@nestjs/common';
import { AgencyRegisteredV1 } from '@app/contracts';
import { KnownAgency } from './known-agency.entity';
import { KnownAgencyRepository } from './known-agency.repository';

@Injectable()
export class KnownAgenciesService {
  constructor(private readonly agencies: KnownAgencyRepository) {}

  recordRegistered(event: AgencyRegisteredV1): Promise<void> {
    return this.agencies.insertIfAbsent({
      id: event.agencyId,
      name: event.name,
      kind: event.kind,
      departement: event.departement,
      siret: event.siret,
    });
  }

  list(): Promise<KnownAgency[]> {
    return this.agencies.list();
  }
}
