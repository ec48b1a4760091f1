import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Counter, Registry } from 'prom-client';
import { AuthenticatedUser, canActFor } from '@app/auth';
import { BookletIssued } from '@app/contracts';
import { TransactionHost } from '@app/database';
import { EventPublisher } from '@app/messaging';
import { METRICS_REGISTRY } from '@app/observability';
import { generatePassCode, hashPassCode, parsePassCode } from '@app/pass-codes';
import { Problem } from '@app/platform';
import { AgencyRepository } from '../agencies/agency.repository';
import { AllocationRepository } from '../allocations/allocation.repository';
import { bookletValueCents, Program } from '../programs/program.entity';
import { ProgramRepository } from '../programs/program.repository';
import { frenchDate, parisDay } from '@app/calendar';
import { issuableVerdict } from '../programs/program-validity';
import { newBeneficiaryRef } from './beneficiary-ref';
import { BookletRepository, BookletRow, NewPass } from './booklet.repository';
import { BookletPageView, BookletSummaryView, BookletView, IssuedBookletView } from './dto/booklet.views';
import { IssueBookletDto } from './dto/issue-booklet.dto';
import { ListBookletsQuery } from './dto/list-booklets.query';
import { PassCodeCipher } from './pass-code-cipher';

const NOT_ISSUABLE = {
  closed: () => Problem.unprocessable('PROGRAM_CLOSED', 'Ce programme est clôturé : il ne permet plus de délivrer de carnet.'),
  not_yet_valid: (p: Program) => Problem.unprocessable('PROGRAM_NOT_YET_VALID', `Ce programme n'est valable qu'à partir du ${frenchDate(p.validFrom)}.`),
  expired: (p: Program) => Problem.unprocessable('PROGRAM_EXPIRED', `Ce programme a pris fin le ${frenchDate(p.validUntil)} : il ne permet plus de délivrer de carnet.`),
};

@Injectable()
export class BookletsService {
  private readonly issued: Counter;

  constructor(
    private readonly tx: TransactionHost,
    private readonly booklets: BookletRepository,
    private readonly agencies: AgencyRepository,
    private readonly programs: ProgramRepository,
    private readonly allocations: AllocationRepository,
    private readonly cipher: PassCodeCipher,
    private readonly events: EventPublisher,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.issued = new Counter({ name: 'booklets_issued_total', help: 'Booklets issued (counted once their transaction has committed)', registers: [registry] });
  }

  /**
   * Spends one booklet's worth of the agency's allocation and creates the
   * booklet, its passes and BookletIssued in one transaction: any refusal or
   * failure rolls the spending back.
   */
  issue(command: IssueBookletDto, counselor: AuthenticatedUser): Promise<IssuedBookletView> {
    return this.tx.run(async () => {
      const agency = counselor.org ? await this.agencies.findById(counselor.org) : null;
      if (!agency) throw Problem.notFound('AGENCY_NOT_FOUND', "Votre compte n'est rattaché à aucune agence connue.");
      const program = await this.programs.findById(command.programId);
      if (!program) throw Problem.notFound('PROGRAM_NOT_FOUND', 'Ce programme est introuvable.');
      const verdict = issuableVerdict(program, parisDay(new Date()));
      if (verdict !== 'issuable') throw NOT_ISSUABLE[verdict](program);

      const totalCents = bookletValueCents(program);
      if (!(await this.allocations.spend(agency.id, program.id, totalCents))) {
        if (!(await this.allocations.exists(agency.id, program.id))) {
          throw Problem.unprocessable('NO_ALLOCATION', "Votre agence n'a reçu aucune enveloppe sur ce programme.");
        }
        throw Problem.conflict('ALLOCATION_EXHAUSTED', "L'enveloppe de votre agence sur ce programme est épuisée : il ne reste pas de quoi délivrer un carnet.");
      }

      const bookletId = randomUUID();
      const codes = Array.from({ length: program.bookletSize }, () => generatePassCode());
      const passes: Array<NewPass & { code: string }> = codes.map((code, i) => {
        const id = randomUUID();
        const canonical = canonicalOf(code);
        return { id, position: i + 1, amountCents: program.faceValueCents, code, codeSealed: this.cipher.seal(id, canonical), codeHash: hashPassCode(canonical) };
      });
      const beneficiary = { beneficiaryRef: newBeneficiaryRef(), ...command.beneficiary };
      await this.booklets.insert(
        {
          id: bookletId,
          programId: program.id,
          agencyId: agency.id,
          beneficiaryRef: beneficiary.beneficiaryRef,
          ageBand: beneficiary.ageBand ?? null,
          situation: beneficiary.situation,
          diagnosticLevel: beneficiary.diagnosticLevel,
          totalCents,
          issuedBy: counselor.subject,
        },
        passes,
      );
      const event = await this.events.publish(BookletIssued, {
        bookletId,
        programId: program.id,
        agencyId: agency.id,
        issuedBy: counselor.subject,
        beneficiary,
        validFrom: program.validFrom,
        validUntil: program.validUntil,
        toleranceDays: program.toleranceDays,
        territory: program.territory,
        passes: passes.map((p) => ({ passId: p.id, codeHash: p.codeHash, amountCents: p.amountCents })),
        totalCents,
      });
      // Counted after commit: a refused or rolled-back issuance never shows in the metric.
      this.tx.afterCommit(() => this.issued.inc());
      return {
        id: bookletId,
        programId: program.id,
        agencyId: agency.id,
        beneficiary: { ...beneficiary, ageBand: beneficiary.ageBand ?? null },
        totalCents,
        issuedBy: counselor.subject,
        issuedAt: new Date(event.occurredAt),
        validUntil: program.validUntil,
        passes: passes.map((p) => ({ id: p.id, position: p.position, amountCents: p.amountCents, code: p.code })),
      };
    });
  }

  async get(id: string, user: AuthenticatedUser): Promise<BookletView> {
    const booklet = await this.findVisible(id, user);
    const passes = await this.booklets.findPasses(id);
    return { ...summaryOf(booklet), passes };
  }

  /** Counselors see their agency's booklets only, whatever agencyId they pass. */
  async list(query: ListBookletsQuery, user: AuthenticatedUser): Promise<BookletPageView> {
    const agencyId = user.role === 'operator' ? query.agencyId : user.org ?? undefined;
    if (!agencyId && user.role !== 'operator') throw Problem.forbidden('AGENCY_NOT_FOUND', "Votre compte n'est rattaché à aucune agence.");
    const { rows, total } = await this.booklets.list(
      { agencyId, programId: query.programId, status: query.status, from: query.from, to: query.to },
      (query.page - 1) * query.pageSize,
      query.pageSize,
    );
    return { items: rows.map(summaryOf), total, page: query.page, pageSize: query.pageSize };
  }

  /** The booklet if the caller may see it; a booklet of another agency answers 404 as if it did not exist. */
  async findVisible(id: string, user: AuthenticatedUser): Promise<BookletRow> {
    const booklet = await this.booklets.findById(id);
    if (!booklet || !canActFor(user, booklet.agencyId)) throw Problem.notFound('BOOKLET_NOT_FOUND', 'Ce carnet est introuvable.');
    return booklet;
  }
}

function canonicalOf(code: string): string {
  const parsed = parsePassCode(code);
  if (!parsed.valid) throw new Error('generatePassCode produced an invalid code');
  return parsed.canonical;
}

function summaryOf(row: BookletRow): BookletSummaryView {
  const { beneficiaryRef, ageBand, situation, diagnosticLevel, ...rest } = row;
  return { ...rest, beneficiary: { beneficiaryRef, ageBand, situation, diagnosticLevel } };
}
