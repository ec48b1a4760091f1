import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuthenticatedUser } from '@app/auth';
import { ProgramBudgetIncreased, ProgramClosed, ProgramOpened } from '@app/contracts';
import { TransactionHost } from '@app/database';
import { EventPublisher } from '@app/messaging';
import type { Paged } from '@app/platform';
import { Problem } from '@app/platform';
import { FunderRepository } from '../funders/funder.repository';
import { LedgerService, PostingTerms, ProgramBalances } from '../ledger/ledger.service';
import { TransferView } from '../ledger/ledger.repository';
import { euros, MAX_AMOUNT_CENTS, splitByPasses } from '@app/money';
import { parisDay } from '@app/calendar';
import { CloseProgramDto, IncreaseBudgetDto, OpenProgramDto } from './dto/program.dto';
import { Program } from './program.entity';
import { ProgramRepository } from './program.repository';

export const programNotFound = () => Problem.notFound('PROGRAM_NOT_FOUND', 'Programme introuvable.');

@Injectable()
export class ProgramsService {
  /** Funding lines never change once a program is open: every pass event would otherwise read them again. */
  private readonly postingTerms = new Map<string, PostingTerms>();

  constructor(
    private readonly tx: TransactionHost,
    private readonly programs: ProgramRepository,
    private readonly funders: FunderRepository,
    private readonly ledger: LedgerService,
    private readonly events: EventPublisher,
  ) {}

  /** The program, its funding lines and its committed budget, with ProgramOpened, in one transaction. */
  open(command: OpenProgramDto, operator: AuthenticatedUser): Promise<Program> {
    return this.tx.run(async () => {
      const funderIds = command.fundingLines.map((line) => line.funderId);
      if (new Set(funderIds).size !== funderIds.length) {
        throw Problem.unprocessable(
          'FUNDING_LINE_DUPLICATED',
          'Un financeur ne peut apparaître que sur une ligne de financement.',
        );
      }
      const shares = command.fundingLines.reduce((sum, line) => sum + line.shareBasisPoints, 0);
      if (shares !== 10_000) {
        throw Problem.unprocessable(
          'FUNDING_SHARES_NOT_100_PERCENT',
          `Les parts des financeurs doivent totaliser 100 % (10000 points de base), ici ${shares}.`,
          { shares },
        );
      }
      const known = await this.funders.findByIds(funderIds);
      const unknown = funderIds.filter((id) => !known.some((funder) => funder.id === id));
      if (unknown.length > 0)
        throw Problem.unprocessable('FUNDER_NOT_FOUND', 'Financeur inconnu sur une ligne de financement.', {
          funderIds: unknown,
        });
      const leadFunderId = command.leadFunderId ?? funderIds[0];
      if (!funderIds.includes(leadFunderId)) {
        throw Problem.unprocessable(
          'LEAD_FUNDER_NOT_A_FUNDER',
          'Le financeur chef de file doit financer le programme.',
        );
      }
      if (command.validUntil < command.validFrom) {
        throw Problem.unprocessable('PROGRAM_DATES_INVALID', 'La fin de validité doit suivre le début de validité.');
      }
      if (command.validUntil < parisDay(new Date())) {
        throw Problem.unprocessable(
          'PROGRAM_VALIDITY_PAST',
          'La période de validité est déjà passée : aucun pass de ce programme ne pourrait être utilisé. Choisissez une fin de validité à venir.',
          { validUntil: command.validUntil },
        );
      }

      const programId = randomUUID();
      const program = Object.assign(new Program(), {
        id: programId,
        name: command.name,
        faceValueCents: command.faceValueCents,
        bookletSize: command.bookletSize,
        validFrom: command.validFrom,
        validUntil: command.validUntil,
        toleranceDays: command.toleranceDays,
        territory: command.territory,
        leadFunderId,
        budgetCents: command.budgetCents,
        status: 'open' as const,
        openedBy: operator.subject,
        fundingLines: command.fundingLines.map((line, position) => ({
          id: randomUUID(),
          programId,
          funderId: line.funderId,
          shareBasisPoints: line.shareBasisPoints,
          position,
        })),
      });
      await this.programs.insert(program);
      await this.ledger.move(
        program,
        'budget_committed',
        splitByPasses(program.budgetCents, program.faceValueCents, program.fundingLines),
        {},
        { reference: 'program_opened' },
      );
      await this.events.publish(ProgramOpened, {
        programId,
        name: program.name,
        faceValueCents: program.faceValueCents,
        bookletSize: program.bookletSize,
        validFrom: program.validFrom,
        validUntil: program.validUntil,
        toleranceDays: program.toleranceDays,
        territory: program.territory,
        fundingLines: program.fundingLines.map((line) => ({
          fundingLineId: line.id,
          funderId: line.funderId,
          shareBasisPoints: line.shareBasisPoints,
        })),
        leadFunderId,
        budgetCents: program.budgetCents,
        openedBy: operator.subject,
      });
      return (await this.programs.findById(programId))!;
    });
  }

  increaseBudget(programId: string, command: IncreaseBudgetDto, operator: AuthenticatedUser): Promise<Program> {
    return this.tx.run(async () => {
      const program = await this.openProgramForUpdate(programId);
      const budgetCents = program.budgetCents + command.amountCents;
      if (budgetCents > MAX_AMOUNT_CENTS) {
        throw Problem.unprocessable(
          'PROGRAM_BUDGET_LIMIT',
          `Le budget d'un programme ne peut dépasser ${euros(MAX_AMOUNT_CENTS)} : cette hausse le porterait à ${euros(budgetCents)}.`,
          { budgetCents: program.budgetCents, amountCents: command.amountCents, maxBudgetCents: MAX_AMOUNT_CENTS },
        );
      }
      await this.programs.update(programId, { budgetCents });
      await this.ledger.move(
        program,
        'budget_committed',
        splitByPasses(command.amountCents, program.faceValueCents, program.fundingLines),
        {},
        { reference: 'budget_increased' },
      );
      await this.events.publish(ProgramBudgetIncreased, {
        programId,
        amountCents: command.amountCents,
        budgetCents,
        increasedBy: operator.subject,
      });
      return (await this.programs.findById(programId))!;
    });
  }

  close(programId: string, command: CloseProgramDto, operator: AuthenticatedUser): Promise<Program> {
    return this.tx.run(async () => {
      await this.openProgramForUpdate(programId);
      await this.programs.update(programId, {
        status: 'closed',
        closedBy: operator.subject,
        closedAt: new Date(),
        closedReason: command.reason,
      });
      await this.events.publish(ProgramClosed, { programId, reason: command.reason, closedBy: operator.subject });
      return (await this.programs.findById(programId))!;
    });
  }

  /** Locks an open program for a change; a closed one takes no more money. */
  async openProgramForUpdate(programId: string): Promise<Program> {
    const program = await this.programs.findForUpdate(programId);
    if (!program) throw programNotFound();
    if (program.status === 'closed')
      throw Problem.conflict('PROGRAM_CLOSED', 'Ce programme est clôturé : il ne peut plus être modifié.');
    return program;
  }

  async list(user: AuthenticatedUser, page: number, pageSize: number): Promise<Paged<Program>> {
    const funderId = user.role === 'funder' ? user.org! : undefined;
    const { programs, total } = await this.programs.list(funderId, pageSize, (page - 1) * pageSize);
    return { items: programs, total, page, pageSize };
  }

  /** For event handlers: the program an event refers to must exist, or the event is dead-lettered with the reason. */
  async require(programId: string): Promise<Program> {
    const program = await this.programs.findById(programId);
    if (!program) throw new Error(`Unknown program ${programId}`);
    return program;
  }

  /** Like `require`, for postings only; remembered once the program is known to be committed. */
  async postingTermsOf(programId: string): Promise<PostingTerms> {
    const known = this.postingTerms.get(programId);
    if (known) return known;
    const { id, fundingLines } = await this.require(programId);
    const terms = { id, fundingLines };
    this.tx.afterCommit(() => this.postingTerms.set(programId, terms));
    return terms;
  }

  /** The operator reads every program; a funder only those it funds (others look nonexistent). */
  async getReadable(programId: string, user: AuthenticatedUser): Promise<Program> {
    const program = await this.programs.findById(programId);
    if (!program || !canRead(program, user)) throw programNotFound();
    return program;
  }

  async balances(programId: string, user: AuthenticatedUser): Promise<ProgramBalances> {
    return this.ledger.balances(await this.getReadable(programId, user));
  }

  async transfers(
    programId: string,
    user: AuthenticatedUser,
    page: number,
    pageSize: number,
  ): Promise<Paged<TransferView>> {
    await this.getReadable(programId, user);
    return { ...(await this.ledger.transfers(programId, page, pageSize)), page, pageSize };
  }
}

export function canRead(program: Program, user: AuthenticatedUser): boolean {
  return (
    user.role === 'operator' ||
    (user.role === 'funder' && program.fundingLines.some((line) => line.funderId === user.org))
  );
}
