import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';
import { Program } from './program.entity';

@Injectable()
export class ProgramRepository {
  constructor(private readonly tx: TransactionHost) {}

  async insert(program: Program): Promise<void> {
    await this.tx.manager.save(Program, program);
  }

  findById(id: string): Promise<Program | null> {
    return this.tx.manager.findOne(Program, {
      where: { id },
      relations: { fundingLines: true },
      order: { fundingLines: { position: 'ASC' } },
    });
  }

  /** Reads the program and locks its row: allocations, budget changes and closure of one program happen one at a time. */
  async findForUpdate(id: string): Promise<Program | null> {
    const locked = await this.tx
      .requireTransaction('Locking a program')
      .query(`SELECT id FROM programs WHERE id = $1 FOR UPDATE`, [id]);
    return locked.length === 0 ? null : this.findById(id);
  }

  async update(
    id: string,
    changes: Partial<Pick<Program, 'budgetCents' | 'status' | 'closedBy' | 'closedAt' | 'closedReason'>>,
  ): Promise<void> {
    await this.tx.manager.update(Program, { id }, changes);
  }

  /** All programs, or those a funder has a funding line in. */
  list(funderId?: string): Promise<Program[]> {
    const query = this.tx.manager
      .createQueryBuilder(Program, 'program')
      .leftJoinAndSelect('program.fundingLines', 'line')
      .orderBy('program.opened_at', 'DESC')
      .addOrderBy('line.position', 'ASC');
    if (funderId)
      query.where('program.id IN (SELECT program_id FROM funding_lines WHERE funder_id = :funderId)', { funderId });
    return query.getMany();
  }
}
