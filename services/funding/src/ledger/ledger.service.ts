import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Program } from '../programs/program.entity';
import { AccountKind, MovementKind, MOVEMENTS } from './account-kinds';
import { AccountKey, accountKeyOf, AccountBalance, LedgerRepository, TransferView } from './ledger.repository';

export interface MovementOwners {
  /** The agency or site whose account is debited, when the account kind has an owner. */
  from?: string | null;
  to?: string | null;
}

export interface MovementSource {
  eventId?: string;
  /** What the money is about: a pass, an allocation, a booklet… */
  reference?: string;
}

/** Money moving for one reason, split across the program's funding lines. */
export interface Movement {
  program: PostingTerms;
  kind: MovementKind;
  /** Cents per funding line id. */
  split: Map<string, number>;
  owners?: MovementOwners;
  source?: MovementSource;
}

/** What posting money needs of a program: its funding lines and their shares, fixed when it opened. */
export type PostingTerms = Pick<Program, 'id' | 'fundingLines'>;

export type BalancesByKind = Record<AccountKind, number>;

export interface ProgramBalances {
  programId: string;
  budgetCents: number;
  /** Holding accounts summed over funding lines and owners. */
  totals: BalancesByKind;
  fundingLines: Array<{ fundingLineId: string; funderId: string; shareBasisPoints: number; balances: BalancesByKind }>;
  accounts: Array<{ kind: AccountKind; ownerId: string | null; fundingLineId: string; balanceCents: number }>;
}

/** A source account's balance grows with debits; a holding account's with credits. */
export function balanceOf(account: Pick<AccountBalance, 'kind' | 'debitsCents' | 'creditsCents'>): number {
  return account.kind === 'funder_commitment'
    ? account.debitsCents - account.creditsCents
    : account.creditsCents - account.debitsCents;
}

function emptyBalances(): BalancesByKind {
  return {
    funder_commitment: 0,
    program_unallocated: 0,
    agency_allocated: 0,
    passes_outstanding: 0,
    site_payable: 0,
    site_paid: 0,
    funder_released: 0,
  };
}

/**
 * The double-entry ledger: every movement is posted per funding line as
 * balanced transfers between two accounts; the database refuses overdrafts
 * and edits of posted transfers.
 */
@Injectable()
export class LedgerService {
  constructor(private readonly ledger: LedgerRepository) {}

  move(
    program: PostingTerms,
    kind: MovementKind,
    split: Map<string, number>,
    owners: MovementOwners = {},
    source: MovementSource = {},
  ): Promise<void> {
    return this.moveAll([{ program, kind, split, owners, source }]);
  }

  /** Posts several movements in one go (e.g. the pass events of a batch), each with its own movement id. */
  async moveAll(movements: Movement[]): Promise<void> {
    const legs = movements.flatMap(({ program, kind, split, owners = {}, source = {} }) => {
      const { from, to } = MOVEMENTS[kind];
      const movementId = randomUUID();
      return program.fundingLines.flatMap((line) => {
        const cents = split.get(line.id) ?? 0;
        if (cents <= 0) return [];
        const debit: AccountKey = {
          programId: program.id,
          fundingLineId: line.id,
          kind: from,
          ownerId: owners.from ?? null,
        };
        const credit: AccountKey = {
          programId: program.id,
          fundingLineId: line.id,
          kind: to,
          ownerId: owners.to ?? null,
        };
        return [{ movementId, kind, cents, source, debit, credit }];
      });
    });
    if (legs.length === 0) return;
    const ids = await this.ledger.accountIds(legs.flatMap(({ debit, credit }) => [debit, credit]));
    await this.ledger.post(
      legs.map(({ movementId, kind, cents, source, debit, credit }) => ({
        movementId,
        programId: debit.programId,
        fundingLineId: debit.fundingLineId,
        debitAccountId: ids.get(accountKeyOf(debit))!,
        creditAccountId: ids.get(accountKeyOf(credit))!,
        amountCents: cents,
        kind,
        sourceEventId: source.eventId ?? null,
        reference: source.reference ?? null,
      })),
    );
  }

  async balances(program: Program): Promise<ProgramBalances> {
    const accounts = await this.ledger.balances(program.id);
    const totals = emptyBalances();
    const perLine = new Map(program.fundingLines.map((line) => [line.id, emptyBalances()]));
    for (const account of accounts) {
      const balance = balanceOf(account);
      totals[account.kind] += balance;
      perLine.get(account.fundingLineId)![account.kind] += balance;
    }
    return {
      programId: program.id,
      budgetCents: program.budgetCents,
      totals,
      fundingLines: program.fundingLines.map((line) => ({
        fundingLineId: line.id,
        funderId: line.funderId,
        shareBasisPoints: line.shareBasisPoints,
        balances: perLine.get(line.id)!,
      })),
      accounts: accounts.map((a) => ({
        kind: a.kind,
        ownerId: a.ownerId,
        fundingLineId: a.fundingLineId,
        balanceCents: balanceOf(a),
      })),
    };
  }

  /** The balance of one owner's accounts of a kind, per funding line (e.g. an agency's allocation). */
  async ownerBalanceByLine(program: Program, kind: AccountKind, ownerId: string | null): Promise<Map<string, number>> {
    const accounts = await this.ledger.balances(program.id);
    const byLine = new Map(program.fundingLines.map((line) => [line.id, 0]));
    for (const account of accounts) {
      if (account.kind === kind && account.ownerId === ownerId) byLine.set(account.fundingLineId, balanceOf(account));
    }
    return byLine;
  }

  transfers(programId: string, page: number, pageSize: number): Promise<{ items: TransferView[]; total: number }> {
    return this.ledger.transfers(programId, pageSize, (page - 1) * pageSize);
  }
}
