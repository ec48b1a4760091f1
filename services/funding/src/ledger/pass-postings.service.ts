import { Injectable } from '@nestjs/common';
import {
  BookletIssuedV1,
  EventEnvelope,
  RedemptionCancelled,
  RedemptionCancelledV1,
  VoucherExpired,
  VoucherExpiredV1,
  VoucherRedeemed,
  VoucherRedeemedV1,
  VoucherVoided,
  VoucherVoidedV1,
} from '@app/contracts';
import { ProgramsService } from '../programs/programs.service';
import { SettlementItemsService } from '../settlement/settlement-items.service';
import { MovementKind } from './account-kinds';
import { LedgerPass, LedgerPassRepository, PassMoneyState } from './ledger-pass.repository';
import { LedgerService, Movement, MovementOwners } from './ledger.service';
import { addSplits, splitAmount } from '@app/money';
import { AwaitingCause } from '@app/messaging';

export type PassEventPayload = VoucherRedeemedV1 | RedemptionCancelledV1 | VoucherVoidedV1 | VoucherExpiredV1;

/** For each pass event: the state it must find the pass in, the state it leaves, and the money movement. */
const TRANSITIONS: Record<
  string,
  {
    from: PassMoneyState;
    to: PassMoneyState;
    movement: MovementKind;
    owners: (p: LedgerPass, e: PassEventPayload) => MovementOwners;
  }
> = {
  [VoucherRedeemed.type]: {
    from: 'outstanding',
    to: 'redeemed',
    movement: 'voucher_redeemed',
    owners: (_, e) => ({ to: (e as VoucherRedeemedV1).siteId }),
  },
  [RedemptionCancelled.type]: {
    from: 'redeemed',
    to: 'outstanding',
    movement: 'redemption_cancelled',
    owners: (p) => ({ from: p.siteId }),
  },
  [VoucherVoided.type]: {
    from: 'outstanding',
    to: 'voided',
    movement: 'voucher_voided',
    owners: (p) => ({ to: p.agencyId }),
  },
  [VoucherExpired.type]: { from: 'outstanding', to: 'expired', movement: 'voucher_expired', owners: () => ({}) },
};

/** What a run of pass events writes, kept until it must reach the database. */
class PendingPostings {
  movements: Movement[] = [];
  redemptions: Array<{ event: VoucherRedeemedV1; split: Map<string, number> }> = [];
  changedPasses = new Map<string, LedgerPass>();
}

/**
 * Posts the money of passes as their facts arrive: issued from the agency's
 * allocation, then redeemed, cancelled, voided or expired. Each pass's value
 * is split across funding lines the same way at every step.
 *
 * Events come as consecutive events of a partition: each is checked against
 * its pass's state as the events before it left it, and their writes go in a
 * few statements for all of them.
 */
@Injectable()
export class PassPostingsService {
  constructor(
    private readonly programs: ProgramsService,
    private readonly passes: LedgerPassRepository,
    private readonly ledger: LedgerService,
    private readonly settlementItems: SettlementItemsService,
  ) {}

  async onBookletsIssued(envelopes: Array<EventEnvelope<BookletIssuedV1>>): Promise<void> {
    const movements: Movement[] = [];
    for (const { eventId, payload: event } of envelopes) {
      const program = await this.programs.postingTermsOf(event.programId);
      const split = addSplits(event.passes.map((pass) => splitAmount(pass.amountCents, program.fundingLines)));
      movements.push({
        program,
        kind: 'booklet_issued',
        split,
        owners: { from: event.agencyId },
        source: { eventId, reference: event.bookletId },
      });
    }
    await this.passes.insertOutstanding(
      envelopes.flatMap(({ payload: event }) =>
        event.passes.map(({ passId, amountCents }) => ({
          passId,
          amountCents,
          bookletId: event.bookletId,
          programId: event.programId,
          agencyId: event.agencyId,
        })),
      ),
    );
    await this.ledger.moveAll(movements);
  }

  async onPassEvents(envelopes: Array<EventEnvelope<PassEventPayload>>): Promise<void> {
    const passes = await this.passes.findForUpdate(envelopes.map(({ payload }) => payload.passId));
    const missing = envelopes
      .filter(({ payload }) => !passes.has(payload.passId.toLowerCase()))
      .map(({ payload }) => payload.bookletId);
    const knownBooklets = missing.length > 0 ? await this.passes.knownBooklets(missing) : new Set<string>();
    const pending = new PendingPostings();
    for (const envelope of envelopes) {
      const event = envelope.payload;
      const pass = passes.get(event.passId.toLowerCase());
      if (!pass) {
        if (knownBooklets.has(event.bookletId.toLowerCase()))
          throw new Error(`Pass ${event.passId} is not in booklet ${event.bookletId}`);
        // The booklet comes on the issuance topic: catching up, its passes' events may be fetched before it.
        throw new AwaitingCause(`booklet ${event.bookletId}`, `pass ${event.passId}`);
      }
      const transition = TRANSITIONS[envelope.type];
      if (pass.state !== transition.from) {
        throw new Error(`${envelope.type} for pass ${pass.passId} found it ${pass.state}, expected ${transition.from}`);
      }
      if (event.amountCents !== pass.amountCents) {
        throw new Error(
          `${envelope.type} for pass ${pass.passId} moves ${event.amountCents} cents, the pass is worth ${pass.amountCents}`,
        );
      }
      const program = await this.programs.postingTermsOf(pass.programId);
      const owners = transition.owners(pass, event);
      const split = splitAmount(pass.amountCents, program.fundingLines);
      let movement = transition.movement;
      if (envelope.type === RedemptionCancelled.type) {
        // Settlement reads the redemption's item, which an earlier event of this run may have written.
        await this.flush(pending);
        movement = await this.settlementItems.recordCancelled(event as RedemptionCancelledV1);
      }
      // Settlement owes the site what the ledger makes payable, split the same way, in the same transaction.
      pending.movements.push({
        program,
        kind: movement,
        split,
        owners,
        source: { eventId: envelope.eventId, reference: pass.passId },
      });
      if (envelope.type === VoucherRedeemed.type)
        pending.redemptions.push({ event: event as VoucherRedeemedV1, split });
      pass.state = transition.to;
      pass.siteId = transition.to === 'redeemed' ? (event as VoucherRedeemedV1).siteId : null;
      pending.changedPasses.set(pass.passId, pass);
    }
    await this.flush(pending);
  }

  private async flush(pending: PendingPostings): Promise<void> {
    await this.ledger.moveAll(pending.movements.splice(0));
    await this.settlementItems.recordRedeemed(pending.redemptions.splice(0));
    if (pending.changedPasses.size > 0) await this.passes.setStates([...pending.changedPasses.values()]);
    pending.changedPasses.clear();
  }
}
