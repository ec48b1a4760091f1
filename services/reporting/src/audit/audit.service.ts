import { Injectable } from '@nestjs/common';
import { AuthenticatedUser } from '@app/auth';
import { Problem } from '@app/platform';
import { GenerationRepository } from '../projection/generation.repository';
import { ProgramAccessService } from '../views/program-access.service';
import { AuditEventRow, AuditRepository } from './audit.repository';

export interface AuditEntry {
  eventId: string;
  type: string;
  occurredAt: string;
  producer: string;
  /** The agency for issuance, the site for redemptions (`system` for voids and expiries decided by redemption), the funder or `funding`. */
  actingOrganisation: { kind: string; id: string | null };
  passId: string | null;
}

/** Every event of a pass or a booklet, in order, without any personal data (events carry no codes; the beneficiary reference is not shown). */
@Injectable()
export class AuditService {
  constructor(
    private readonly generations: GenerationRepository,
    private readonly audit: AuditRepository,
    private readonly access: ProgramAccessService,
  ) {}

  async pass(user: AuthenticatedUser, passId: string) {
    const generation = await this.generations.active();
    const owner = await this.audit.passOwner(generation, passId);
    if (!owner) throw Problem.notFound('PASS_NOT_FOUND', `Aucun pass ${passId} n’est connu du reporting.`);
    await this.access.readableProgram(user, owner.programId, generation);
    return {
      passId,
      bookletId: owner.bookletId,
      events: (await this.audit.passEvents(generation, passId, owner.bookletId)).map(entryOf),
    };
  }

  async booklet(user: AuthenticatedUser, bookletId: string) {
    const generation = await this.generations.active();
    const programId = await this.audit.bookletProgram(generation, bookletId);
    if (!programId) throw Problem.notFound('BOOKLET_NOT_FOUND', `Aucun carnet ${bookletId} n’est connu du reporting.`);
    await this.access.readableProgram(user, programId, generation);
    return { bookletId, events: (await this.audit.bookletEvents(generation, bookletId)).map(entryOf) };
  }
}

function entryOf(row: AuditEventRow): AuditEntry {
  return {
    eventId: row.event_id,
    type: row.type,
    occurredAt: row.occurred_at.toISOString(),
    producer: row.producer,
    actingOrganisation: { kind: row.org_kind, id: row.org_id },
    passId: row.pass_id,
  };
}
