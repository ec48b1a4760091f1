import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { TransactionHost } from '@app/database';
import { Funder } from './funder.entity';
import { Program } from './program.entity';

@Injectable()
export class ProgramRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** A program is opened once: a replay leaves the row as it is. */
  async insertIfAbsent(program: Omit<Program, 'status' | 'openedAt' | 'closedAt'>): Promise<void> {
    await this.tx.manager.createQueryBuilder().insert().into(Program).values(program).orIgnore().execute();
  }

  /** False when the program is unknown. */
  async close(id: string): Promise<boolean> {
    const result = await this.tx.manager.query(
      `UPDATE programs SET status = 'closed', closed_at = coalesce(closed_at, now()) WHERE id = $1 RETURNING id`,
      [id],
    );
    return result[1] > 0;
  }

  findById(id: string): Promise<Program | null> {
    return this.tx.manager.findOneBy(Program, { id });
  }

  async exists(id: string): Promise<boolean> {
    return this.tx.manager.existsBy(Program, { id });
  }

  /** A funder's latest name wins: FunderRegistered may be replayed. */
  async upsertFunder(id: string, name: string): Promise<void> {
    await this.tx.manager.query(
      'INSERT INTO funders (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name',
      [id, name],
    );
  }

  findFunders(ids: string[]): Promise<Funder[]> {
    return this.tx.manager.find(Funder, { where: { id: In(ids) } });
  }
}
