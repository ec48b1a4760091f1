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

  /** A page of all programs, or of those a funder has a funding line in, newest first. */
  async list(
    funderId: string | undefined,
    limit: number,
    offset: number,
  ): Promise<{ programs: Program[]; total: number }> {
    const query = this.tx.manager
      .createQueryBuilder(Program, 'program')
      .leftJoinAndSelect('program.fundingLines', 'line')
      .orderBy('program.opened_at', 'DESC')
      .addOrderBy('program.id', 'ASC')
      .addOrderBy('line.position', 'ASC')
      // skip/take (not offset/limit) page the programs themselves, not the joined rows.
      .skip(offset)
      .take(limit);
    if (funderId)
      query.where('program.id IN (SELECT program_id FROM funding_lines WHERE funder_id = :funderId)', { funderId });
    const [programs, total] = await query.getManyAndCount();
    return { programs, total };
  }
}
