import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuthenticatedUser } from '@app/auth';
import { AllocationGranted, AllocationReclaimRequested, AllocationReduced, AllocationReleasedV1 } from '@app/contracts';
import { TransactionHost } from '@app/database';
import { EventPublisher } from '@app/messaging';
import { Problem } from '@app/platform';
import { KnownAgencyRepository } from '../agencies/known-agency.repository';
import { LedgerService } from '../ledger/ledger.service';
import { euros, splitByPasses, splitPerPass } from '@app/money';
import { Program } from '../programs/program.entity';
import { programNotFound, ProgramsService } from '../programs/programs.service';
import { AllocationRepository, AllocationRow, ReclaimRow } from './allocation.repository';
import { GrantAllocationDto, RequestReclaimDto } from './dto/allocation.dto';

/** Allocations move pass by pass, so a pass's value is split the same way at every step. */
const splitOfPasses = (program: Program, amountCents: number) =>
  splitByPasses(amountCents, program.faceValueCents, program.fundingLines);

/**
 * The most that can be granted in whole booklets when each funding line must
 * cover its own share of every pass: a line's unallocated cents beyond that
 * (left by budgets split before splitByPasses, or under one pass) cannot be.
 */
function allocatableCents(program: Program, unallocated: Map<string, number>): number {
  const bookletValue = program.faceValueCents * program.bookletSize;
  const perBooklet = splitPerPass(program.faceValueCents, program.bookletSize, program.fundingLines);
  const booklets = Math.min(
    ...[...perBooklet].map(([lineId, cents]) =>
      cents === 0 ? Infinity : Math.floor((unallocated.get(lineId) ?? 0) / cents),
    ),
  );
  return Number.isFinite(booklets) ? booklets * bookletValue : 0;
}

@Injectable()
export class AllocationsService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly programs: ProgramsService,
    private readonly allocations: AllocationRepository,
    private readonly agencies: KnownAgencyRepository,
    private readonly ledger: LedgerService,
    private readonly events: EventPublisher,
  ) {}

  /** Grants part of the unallocated budget to an agency: the operator or the program's lead funder. */
  grant(programId: string, command: GrantAllocationDto, user: AuthenticatedUser): Promise<AllocationRow> {
    return this.tx.run(async () => {
      const program = await this.lockProgramFor(programId, user);
      if (!(await this.agencies.findById(command.agencyId))) {
        throw Problem.unprocessable('AGENCY_NOT_FOUND', "Agence inconnue : elle doit d'abord être enregistrée.");
      }
      const bookletValue = program.faceValueCents * program.bookletSize;
      if (command.amountCents % bookletValue !== 0) {
        throw Problem.unprocessable(
          'ALLOCATION_NOT_WHOLE_BOOKLETS',
          `Une allocation se fait en carnets entiers : un multiple de ${euros(bookletValue)}.`,
          { bookletValueCents: bookletValue },
        );
      }
      const split = splitOfPasses(program, command.amountCents);
      const unallocated = await this.ledger.ownerBalanceByLine(program, 'program_unallocated', null);
      if ([...split].some(([lineId, cents]) => cents > (unallocated.get(lineId) ?? 0))) {
        const allocatable = allocatableCents(program, unallocated);
        throw Problem.unprocessable(
          'ALLOCATION_EXCEEDS_UNALLOCATED',
          `Le budget non alloué du programme permet d'allouer au plus ${euros(allocatable)} en carnets entiers ; ` +
            `vous demandez ${euros(command.amountCents)}.`,
          {
            allocatableCents: allocatable,
            unallocatedCents: [...unallocated.values()].reduce((a, b) => a + b, 0),
            requestedCents: command.amountCents,
          },
        );
      }
      const allocation = {
        id: randomUUID(),
        programId,
        agencyId: command.agencyId,
        amountCents: command.amountCents,
        grantedBy: user.subject,
      };
      await this.allocations.insertGrant(allocation);
      await this.ledger.move(
        program,
        'allocation_granted',
        split,
        { to: command.agencyId },
        { reference: allocation.id },
      );
      await this.events.publish(AllocationGranted, {
        allocationId: allocation.id,
        programId,
        agencyId: command.agencyId,
        amountCents: command.amountCents,
        grantedBy: user.subject,
      });
      return { ...allocation, grantedAt: new Date() };
    });
  }

  /** Asks issuance, which alone knows what was spent, to free unused allocation; the answer moves the money. */
  requestReclaim(programId: string, command: RequestReclaimDto, user: AuthenticatedUser): Promise<ReclaimRow> {
    return this.tx.run(async () => {
      await this.lockProgramFor(programId, user);
      if (!(await this.agencies.findById(command.agencyId))) {
        throw Problem.unprocessable('AGENCY_NOT_FOUND', 'Agence inconnue.');
      }
      const reclaim = {
        id: randomUUID(),
        programId,
        agencyId: command.agencyId,
        requestedCents: command.amountCents,
        reason: command.reason ?? null,
        requestedBy: user.subject,
      };
      await this.allocations.insertReclaim(reclaim);
      await this.events.publish(AllocationReclaimRequested, {
        reclaimId: reclaim.id,
        programId,
        agencyId: command.agencyId,
        requestedCents: command.amountCents,
        reason: command.reason,
        requestedBy: user.subject,
      });
      return { ...reclaim, freedCents: null, requestedAt: new Date(), completedAt: null };
    });
  }

  /** Issuance's answer to a reclaim: the freed amount goes back to the program's unallocated budget. */
  async onReleased(event: AllocationReleasedV1): Promise<void> {
    const reclaim = await this.allocations.findReclaimForUpdate(event.reclaimId);
    if (!reclaim) throw new Error(`AllocationReleased for unknown reclaim ${event.reclaimId}`);
    if (reclaim.completedAt) throw new Error(`Reclaim ${event.reclaimId} was already answered`);
    if (event.amountCents > reclaim.requestedCents)
      throw new Error(
        `Reclaim ${event.reclaimId} freed ${event.amountCents}, more than the ${reclaim.requestedCents} requested`,
      );
    const program = await this.programs.require(reclaim.programId);
    if (event.amountCents > 0) {
      await this.ledger.move(
        program,
        'allocation_reduced',
        splitOfPasses(program, event.amountCents),
        { from: reclaim.agencyId },
        { reference: reclaim.id },
      );
    }
    await this.allocations.completeReclaim(reclaim.id, event.amountCents);
    await this.events.publish(AllocationReduced, {
      reclaimId: reclaim.id,
      programId: reclaim.programId,
      agencyId: reclaim.agencyId,
      amountCents: event.amountCents,
    });
  }

  async list(
    programId: string,
    user: AuthenticatedUser,
  ): Promise<{ allocations: AllocationRow[]; reclaims: ReclaimRow[] }> {
    await this.programs.getReadable(programId, user);
    return {
      allocations: await this.allocations.listGrants(programId),
      reclaims: await this.allocations.listReclaims(programId),
    };
  }

  private async lockProgramFor(programId: string, user: AuthenticatedUser): Promise<Program> {
    const program = await this.programs.openProgramForUpdate(programId);
    if (user.role === 'funder' && program.leadFunderId !== user.org) {
      if (program.fundingLines.some((line) => line.funderId === user.org)) {
        throw Problem.forbidden(
          'NOT_LEAD_FUNDER',
          'Seul le financeur chef de file ou l’opérateur peut allouer le budget de ce programme.',
        );
      }
      throw programNotFound();
    }
    return program;
  }
}
