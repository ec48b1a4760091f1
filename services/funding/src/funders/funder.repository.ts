import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { TransactionHost } from '@app/database';
import { Funder } from './funder.entity';

@Injectable()
export class FunderRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Null when the SIRET is already registered (also by a concurrent request). */
  async insertUnlessSiretTaken(funder: Omit<Funder, 'registeredAt'>): Promise<Funder | null> {
    const result = await this.tx.manager
      .createQueryBuilder()
      .insert()
      .into(Funder)
      .values(funder)
      .orIgnore()
      .returning('id')
      .execute();
    return result.raw.length === 0 ? null : this.tx.manager.findOneByOrFail(Funder, { id: funder.id });
  }

  findById(id: string): Promise<Funder | null> {
    return this.tx.manager.findOneBy(Funder, { id });
  }

  findByIds(ids: string[]): Promise<Funder[]> {
    return this.tx.manager.findBy(Funder, { id: In(ids) });
  }

  list(): Promise<Funder[]> {
    return this.tx.manager.find(Funder, { order: { name: 'ASC' } });
  }
}
