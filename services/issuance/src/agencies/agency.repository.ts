import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';
import { Agency } from './agency.entity';

@Injectable()
export class AgencyRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Null when the SIRET is taken, also by a concurrent registration (no error, so the transaction stays usable). */
  async insertUnlessSiretTaken(agency: Omit<Agency, 'registeredAt'>): Promise<Agency | null> {
    const result = await this.tx.manager
      .createQueryBuilder()
      .insert()
      .into(Agency)
      .values(agency)
      .orIgnore()
      .returning('*')
      .execute();
    if (result.raw.length === 0) return null;
    return this.tx.manager.findOneByOrFail(Agency, { id: agency.id });
  }

  findById(id: string): Promise<Agency | null> {
    return this.tx.manager.findOneBy(Agency, { id });
  }

  list(): Promise<Agency[]> {
    return this.tx.manager.find(Agency, { order: { name: 'ASC' } });
  }
}
