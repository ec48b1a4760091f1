import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';
import { KnownAgency } from './known-agency.entity';

@Injectable()
export class KnownAgencyRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Agencies are only ever registered: a replayed event leaves the row as it is. */
  async insertIfAbsent(agency: Omit<KnownAgency, 'learntAt'>): Promise<void> {
    await this.tx.manager.createQueryBuilder().insert().into(KnownAgency).values(agency).orIgnore().execute();
  }

  findById(id: string): Promise<KnownAgency | null> {
    return this.tx.manager.findOneBy(KnownAgency, { id });
  }

  list(): Promise<KnownAgency[]> {
    return this.tx.manager.find(KnownAgency, { order: { name: 'ASC' } });
  }
}
