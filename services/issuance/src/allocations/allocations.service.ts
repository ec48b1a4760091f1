import { Injectable } from '@nestjs/common';
import { AllocationGrantedV1, AllocationReclaimRequestedV1, AllocationReleased } from '@app/contracts';
import { AuthenticatedUser } from '@app/auth';
import { EventPublisher } from '@app/messaging';
import { Problem } from '@app/platform';
import { AgencyRepository } from '../agencies/agency.repository';
import { bookletValueCents } from '../programs/program.entity';
import { ProgramRepository } from '../programs/program.repository';
import { AllocationRepository } from './allocation.repository';
import { AllocationView } from './dto/allocation.view';

/** The balance each agency may spend per program: credited by funding's grants, spent by booklets. */
@Injectable()
export class AllocationsService {
  constructor(
    private readonly allocations: AllocationRepository,
    private readonly agencies: AgencyRepository,
    private readonly programs: ProgramRepository,
    private readonly events: EventPublisher,
  ) {}

  async recordGranted(event: AllocationGrantedV1): Promise<void> {
    await this.assertKnown(event.agencyId, event.programId, 'AllocationGranted');
    await this.allocations.grant(event.agencyId, event.programId, event.amountCents);
  }

  /** Frees the unused balance up to what is asked, and tells funding how much in the same transaction. */
  async recordReclaimRequested(event: AllocationReclaimRequestedV1): Promise<void> {
    await this.assertKnown(event.agencyId, event.programId, 'AllocationReclaimRequested');
    const released = await this.allocations.release(event.agencyId, event.programId, event.requestedCents);
    await this.allocations.recordReclaim(
      event.reclaimId,
      event.agencyId,
      event.programId,
      event.requestedCents,
      released,
    );
    await this.events.publish(AllocationReleased, {
      reclaimId: event.reclaimId,
      programId: event.programId,
      agencyId: event.agencyId,
      amountCents: released,
    });
  }

  /** A counselor sees its own agency; the operator everything, or one agency. */
  async list(user: AuthenticatedUser, agencyId?: string): Promise<AllocationView[]> {
    if (user.role === 'counselor' && !user.org)
      throw Problem.forbidden('AGENCY_NOT_FOUND', "Votre compte n'est rattaché à aucune agence.");
    const scope = user.role === 'counselor' ? user.org! : (agencyId ?? null);
    const rows = await this.allocations.listBalances(scope);
    return rows.map((row) => ({
      agencyId: row.agencyId,
      programId: row.programId,
      programName: row.programName,
      programStatus: row.programStatus,
      validUntil: row.validUntil,
      faceValueCents: row.faceValueCents,
      bookletSize: row.bookletSize,
      grantedCents: row.grantedCents,
      balanceCents: row.balanceCents,
      remainingBooklets: Math.floor(row.balanceCents / bookletValueCents(row)),
    }));
  }

  /** An allocation event about something issuance never heard of is a broken pipeline: fail so it is dead-lettered. */
  private async assertKnown(agencyId: string, programId: string, type: string): Promise<void> {
    if (!(await this.agencies.findById(agencyId))) throw new Error(`${type} refers to unknown agency ${agencyId}`);
    if (!(await this.programs.exists(programId))) throw new Error(`${type} refers to unknown program ${programId}`);
  }
}
