import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Counter, Registry } from 'prom-client';
import { AuthenticatedUser } from '@app/auth';
import { frenchDate, parisDay } from '@app/calendar';
import { BookletIssued, BookletIssuedV1 } from '@app/contracts';
import { TransactionHost } from '@app/database';
import { EventPublisher } from '@app/messaging';
import { METRICS_REGISTRY } from '@app/observability';
import { generatePassCode, hashPassCode, parsePassCode } from '@app/pass-codes';
import { Problem, ProblemCodes } from '@app/platform';
import { AllocationRepository } from '../allocations/allocation.repository';
import { bookletValueCents } from '../programs/program.entity';
import { issuableVerdict } from '../programs/program-validity';
import { newBeneficiaryRef } from './beneficiary-ref';
import { BookletRepository, IssuableProgram, NewBooklet, NewPass } from './booklet.repository';
import { IssuedBookletView } from './dto/booklet.views';
import { BeneficiaryProfileDto } from './dto/issue-booklet.dto';
import { PassCodeCipher } from './pass-code-cipher';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const NOT_ISSUABLE = {
  closed: () =>
    Problem.unprocessable('PROGRAM_CLOSED', 'Ce programme est clôturé : il ne permet plus de délivrer de carnet.'),
  not_yet_valid: (p: IssuableProgram) =>
    Problem.unprocessable(
      'PROGRAM_NOT_YET_VALID',
      `Ce programme n'est valable qu'à partir du ${frenchDate(p.validFrom)}.`,
    ),
  expired: (p: IssuableProgram) =>
    Problem.unprocessable(
      'PROGRAM_EXPIRED',
      `Ce programme a pris fin le ${frenchDate(p.validUntil)} : il ne permet plus de délivrer de carnet.`,
    ),
};

/** What issuing a booklet or an order can be refused with, for the OpenAPI document. */
export const ISSUING_PROBLEMS = {
  404: ['AGENCY_NOT_FOUND', 'PROGRAM_NOT_FOUND'],
  409: ['ALLOCATION_EXHAUSTED'],
  422: ['PROGRAM_CLOSED', 'PROGRAM_NOT_YET_VALID', 'PROGRAM_EXPIRED', 'NO_ALLOCATION'],
} satisfies ProblemCodes;

export const agencyNotFound = () =>
  Problem.notFound('AGENCY_NOT_FOUND', "Votre compte n'est rattaché à aucune agence connue.");

/** The agency a counselor acts for, when its token names one that can be. */
export function agencyIdOf(counselor: AuthenticatedUser): string | null {
  return counselor.org && UUID.test(counselor.org) ? counselor.org : null;
}

/** Where a counselor may issue: its agency and an issuable program. */
export interface IssuingContext {
  agencyId: string;
  program: IssuableProgram;
}

/**
 * Issues booklets against an allocation, one or a whole order alike: the
 * caller's transaction holds the BookletIssued events (one per booklet), the
 * spending and the rows, so any refusal or failure leaves nothing behind.
 * Its cost is a fixed number of statements whatever the number of booklets.
 */
@Injectable()
export class BookletIssuer {
  private readonly issued: Counter;

  constructor(
    private readonly tx: TransactionHost,
    private readonly booklets: BookletRepository,
    private readonly allocations: AllocationRepository,
    private readonly cipher: PassCodeCipher,
    private readonly events: EventPublisher,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.issued = new Counter({
      name: 'booklets_issued_total',
      help: 'Booklets issued (counted once their transaction has committed)',
      registers: [registry],
    });
  }

  /** The counselor's agency and the program, or the refusal a counselor understands. */
  async contextFor(counselor: AuthenticatedUser, programId: string): Promise<IssuingContext> {
    const agencyId = agencyIdOf(counselor);
    const { agencyKnown, program } = agencyId
      ? await this.booklets.findIssuingContext(agencyId, programId)
      : { agencyKnown: false, program: null };
    if (!agencyId || !agencyKnown) throw agencyNotFound();
    if (!program) throw Problem.notFound('PROGRAM_NOT_FOUND', 'Ce programme est introuvable.');
    const verdict = issuableVerdict(program, parisDay(new Date()));
    if (verdict !== 'issuable') throw NOT_ISSUABLE[verdict](program);
    return { agencyId, program };
  }

  /**
   * One booklet per beneficiary profile, all or none. Must run inside the
   * caller's transaction. The allocation is spent by the last statement, so
   * its row lock is held only until the commit that follows.
   */
  async issue(
    context: IssuingContext,
    counselor: AuthenticatedUser,
    profiles: BeneficiaryProfileDto[],
    orderId: string | null,
  ): Promise<IssuedBookletView[]> {
    this.tx.requireTransaction('Issuing booklets');
    const { agencyId, program } = context;
    const bookletCents = bookletValueCents(program);
    const costCents = bookletCents * profiles.length;
    const booklets: NewBooklet[] = [];
    const passes: Array<NewPass & { code: string }> = [];
    const payloads: BookletIssuedV1[] = [];
    const issuedAt = new Date();
    for (const [index, profile] of profiles.entries()) {
      const bookletId = randomUUID();
      const beneficiary = { beneficiaryRef: newBeneficiaryRef(), ...profile };
      const bookletPasses = Array.from({ length: program.bookletSize }, (_, i) => {
        const id = randomUUID();
        const code = generatePassCode();
        const canonical = canonicalOf(code);
        return {
          id,
          bookletId,
          position: i + 1,
          amountCents: program.faceValueCents,
          code,
          codeSealed: this.cipher.seal(id, canonical),
          codeHash: hashPassCode(canonical),
        };
      });
      passes.push(...bookletPasses);
      booklets.push({
        id: bookletId,
        programId: program.id,
        agencyId,
        beneficiaryRef: beneficiary.beneficiaryRef,
        ageBand: beneficiary.ageBand ?? null,
        situation: beneficiary.situation,
        diagnosticLevel: beneficiary.diagnosticLevel,
        totalCents: bookletCents,
        issuedBy: counselor.subject,
        issuedAt,
        orderId,
        orderPosition: orderId ? index + 1 : null,
      });
      payloads.push({
        bookletId,
        programId: program.id,
        agencyId,
        issuedBy: counselor.subject,
        beneficiary,
        validFrom: program.validFrom,
        validUntil: program.validUntil,
        toleranceDays: program.toleranceDays,
        territory: program.territory,
        passes: bookletPasses.map((p) => ({ passId: p.id, codeHash: p.codeHash, amountCents: p.amountCents })),
        totalCents: bookletCents,
      });
    }
    // Events first, spending last: the allocation row is locked from the spending statement to the commit only.
    await this.events.publishAll(BookletIssued, payloads, issuedAt);
    if (
      !(await this.booklets.insertAgainstAllocation({ agencyId, programId: program.id, costCents }, booklets, passes))
    ) {
      throw await this.refusal(context, profiles.length);
    }
    // Counted after commit: a refused or rolled-back issuance never shows in the metric.
    this.tx.afterCommit(() => this.issued.inc(profiles.length));
    return booklets.map((booklet, b) => ({
      id: booklet.id,
      programId: program.id,
      agencyId,
      beneficiary: {
        beneficiaryRef: booklet.beneficiaryRef,
        ageBand: booklet.ageBand,
        situation: booklet.situation,
        diagnosticLevel: booklet.diagnosticLevel,
      },
      totalCents: bookletCents,
      issuedBy: counselor.subject,
      issuedAt,
      validUntil: program.validUntil,
      passes: passes
        .slice(b * program.bookletSize, (b + 1) * program.bookletSize)
        .map((p) => ({ id: p.id, position: p.position, amountCents: p.amountCents, code: p.code })),
    }));
  }

  private async refusal({ agencyId, program }: IssuingContext, booklets: number): Promise<Problem> {
    const balance = await this.allocations.balanceOf(agencyId, program.id);
    if (balance === null)
      return Problem.unprocessable('NO_ALLOCATION', "Votre agence n'a reçu aucune enveloppe sur ce programme.");
    if (booklets === 1) {
      return Problem.conflict(
        'ALLOCATION_EXHAUSTED',
        "L'enveloppe de votre agence sur ce programme est épuisée : il ne reste pas de quoi délivrer un carnet.",
      );
    }
    const remaining = Math.floor(balance / bookletValueCents(program));
    return Problem.conflict(
      'ALLOCATION_EXHAUSTED',
      `L'enveloppe de votre agence sur ce programme ne couvre pas cette commande de ${booklets} carnets : il reste de quoi en délivrer ${remaining}. Aucun carnet n'a été délivré.`,
      { requestedBooklets: booklets, remainingBooklets: remaining },
    );
  }
}

function canonicalOf(code: string): string {
  const parsed = parsePassCode(code);
  if (!parsed.valid) throw new Error('generatePassCode produced an invalid code');
  return parsed.canonical;
}
