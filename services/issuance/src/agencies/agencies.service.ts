import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuthenticatedUser, assertActsFor } from '@app/auth';
import { AgencyRegistered } from '@app/contracts';
import { TransactionHost } from '@app/database';
import { EventPublisher } from '@app/messaging';
import { Problem } from '@app/platform';
import { Agency } from './agency.entity';
import { AgencyRepository } from './agency.repository';
import { RegisterAgencyDto } from './dto/register-agency.dto';

@Injectable()
export class AgenciesService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly agencies: AgencyRepository,
    private readonly events: EventPublisher,
  ) {}

  /** The agency and its AgencyRegistered event are committed together. */
  register(command: RegisterAgencyDto, operator: AuthenticatedUser): Promise<Agency> {
    return this.tx.run(async () => {
      const agency = await this.agencies.insertUnlessSiretTaken({
        id: randomUUID(),
        ...command,
        registeredBy: operator.subject,
      });
      if (!agency) {
        throw Problem.conflict(
          'AGENCY_ALREADY_REGISTERED',
          `Une agence est déjà enregistrée avec le SIRET ${command.siret}.`,
        );
      }
      await this.events.publish(AgencyRegistered, {
        agencyId: agency.id,
        name: agency.name,
        kind: agency.kind,
        departement: agency.departement,
        siret: agency.siret,
      });
      return agency;
    });
  }

  list(): Promise<Agency[]> {
    return this.agencies.list();
  }

  async get(id: string, user: AuthenticatedUser): Promise<Agency> {
    assertActsFor(user, id);
    const agency = await this.agencies.findById(id);
    if (!agency) throw Problem.notFound('AGENCY_NOT_FOUND', 'Agence introuvable.');
    return agency;
  }
}
