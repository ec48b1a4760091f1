import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuthenticatedUser, assertActsFor } from '@app/auth';
import { FunderRegistered } from '@app/contracts';
import { TransactionHost } from '@app/database';
import { EventPublisher } from '@app/messaging';
import { Problem } from '@app/platform';
import { RegisterFunderDto } from './dto/register-funder.dto';
import { Funder } from './funder.entity';
import { FunderRepository } from './funder.repository';

@Injectable()
export class FundersService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly funders: FunderRepository,
    private readonly events: EventPublisher,
  ) {}

  register(command: RegisterFunderDto, operator: AuthenticatedUser): Promise<Funder> {
    return this.tx.run(async () => {
      const funder = await this.funders.insertUnlessSiretTaken({
        id: randomUUID(),
        ...command,
        registeredBy: operator.subject,
      });
      if (!funder)
        throw Problem.conflict(
          'FUNDER_ALREADY_REGISTERED',
          `Un financeur est déjà enregistré avec le SIRET ${command.siret}.`,
        );
      await this.events.publish(FunderRegistered, {
        funderId: funder.id,
        name: funder.name,
        kind: funder.kind,
        siret: funder.siret,
      });
      return funder;
    });
  }

  /** The operator sees every funder; a funder sees itself. */
  async list(user: AuthenticatedUser): Promise<Funder[]> {
    if (user.role === 'operator') return this.funders.list();
    const own = await this.funders.findById(user.org!);
    return own ? [own] : [];
  }

  async get(id: string, user: AuthenticatedUser): Promise<Funder> {
    assertActsFor(user, id);
    const funder = await this.funders.findById(id);
    if (!funder) throw Problem.notFound('FUNDER_NOT_FOUND', 'Financeur introuvable.');
    return funder;
  }
}
