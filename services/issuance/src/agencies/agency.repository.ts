import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';
import { Agency } from './agency.entity';

@Injectable()
export class AgencyRepository {
  constructor(private readonly tx: TransactionHost) {}

  async insert(agency: Omit<Agency, 'registeredAt'>): Promise<Agency> {
    await this.tx.manager.insert(Agency, agency);
    return this.tx.manager.findOneByOrFail(Agency, { id: agency.id });
  }

  findById(id: string): Promise<Agency | null> {
    return this.tx.manager.findOneBy(Agency, { id });
  }

  findBySiret(siret: string): Promise<Agency | null> {
    return this.tx.manager.findOneBy(Agency, { siret });
  }

  list(): Promise<Agency[]> {
    return this.tx.manager.find(Agency, { order: { name: 'ASC' } });
  }
}
