import { Injectable } from '@nestjs/common';
import { EventEnvelope, FunderRegistered } from '@app/contracts';
import { ConsumedEvent } from '@app/messaging';
import { GenerationRepository } from './generation.repository';
import { ProjectionBatch } from './projection-batch';
import { EventRow, ProjectionRepository } from './projection.repository';

/** Where the event was read: its partition and offset order one aggregate's events in the audit trail. */
export interface EventPosition {
  partition: number;
  offset: string;
}

export interface PositionedEvent {
  envelope: EventEnvelope;
  position: EventPosition;
}

type Payload = Record<string, unknown>;

/**
 * Applies events to the read models of one generation, many at once
 * (ProjectionBatch: the rules over a whole batch in a few statements). The
 * live consumer and a rebuild's replay both come here; where an event cannot
 * be applied, the whole call throws and writes nothing, and the caller splits
 * the events until that one is alone.
 */
@Injectable()
export class ProjectionService {
  constructor(
    private readonly generations: GenerationRepository,
    private readonly rows: ProjectionRepository,
  ) {}

  /** From the @OnEvent handler, inside its inbox transaction: consecutive events of a partition, into the active generation. */
  async applyLive(events: ConsumedEvent[]): Promise<void> {
    const generation = await this.generations.activeForWrite();
    await this.apply(
      generation,
      events.map(({ envelope, message }) => ({
        envelope,
        position: { partition: message.partition, offset: message.offset },
      })),
    );
  }

  /**
   * Must run in a transaction: events of one partition, in offset order. An
   * event already applied to this generation changes nothing, and a duplicate
   * within the batch is applied once, at its first position. Throws where any
   * event cannot be applied (AwaitingCause where its cause has not been yet).
   */
  async apply(generation: number, events: PositionedEvent[]): Promise<void> {
    await this.rows.preferIndexProbes();
    const unique = new Map<string, PositionedEvent>();
    for (const event of events)
      if (!unique.has(event.envelope.eventId.toLowerCase())) unique.set(event.envelope.eventId.toLowerCase(), event);
    const recorded = await this.rows.recordEvents(
      generation,
      [...unique.values()].map((e) => this.eventRow(e.envelope, e.position)),
    );
    const fresh = [...unique].filter(([id]) => recorded.has(id)).map(([, e]) => e.envelope);
    if (fresh.length === 0) return;
    const batch = new ProjectionBatch(await this.rows.load(generation, ProjectionBatch.keysOf(fresh)));
    for (const envelope of fresh) batch.apply(envelope);
    await this.rows.write(generation, batch.writes());
  }

  /** Who acted: the agency for issuance, the site for redemptions (the redemption service itself for voids and expiries), the funder or the funding service. */
  private eventRow(envelope: EventEnvelope, position: EventPosition): EventRow {
    const p = envelope.payload as Payload;
    const id = (field: string) => (typeof p[field] === 'string' ? (p[field] as string) : null);
    let orgKind: EventRow['orgKind'];
    let orgId: string | null;
    if (envelope.producer === 'issuance') [orgKind, orgId] = ['agency', id('agencyId')];
    else if (envelope.producer === 'redemption')
      [orgKind, orgId] = id('siteId') ? ['site', id('siteId')] : ['system', null];
    else if (envelope.type === FunderRegistered.type) [orgKind, orgId] = ['funder', id('funderId')];
    // Funding events name the acting account, not its organisation: the operator or the program's lead funder.
    else [orgKind, orgId] = ['funding', null];
    return {
      eventId: envelope.eventId,
      type: envelope.type,
      producer: envelope.producer,
      occurredAt: envelope.occurredAt,
      partition: position.partition,
      offset: position.offset,
      orgKind,
      orgId,
      programId: id('programId'),
      bookletId: id('bookletId'),
      passId: id('passId'),
    };
  }
}
