import { Injectable, Logger } from '@nestjs/common';
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
import { LedgerService, MovementOwners } from './ledger.service';
import { addSplits, splitAmount } from '@app/money';

type PassEventPayload = VoucherRedeemedV1 | RedemptionCancelledV1 | VoucherVoidedV1 | VoucherExpiredV1;

/** For each pass event: the state it must find the pass in, the state it leaves, and the money movement. */
const TRANSITIONS: Record<string, { from: PassMoneyState; to: PassMoneyState; movement: MovementKind; owners: (p: LedgerPass, e: PassEventPayload) => MovementOwners }> = {
  [VoucherRedeemed.type]: { from: 'outstanding', to: 'redeemed', movement: 'voucher_redeemed', owners: (_, e) => ({ to: (e as VoucherRedeemedV1).siteId }) },
  [RedemptionCancelled.type]: { from: 'redeemed', to: 'outstanding', movement: 'redemption_cancelled', owners: (p) => ({ from: p.siteId }) },
  [VoucherVoided.type]: { from: 'outstanding', to: 'voided', movement: 'voucher_voided', owners: (p) => ({ to: p.agencyId }) },
  [VoucherExpired.type]: { from: 'outstanding', to: 'expired', movement: 'voucher_expired', owners: () => ({}) },
};

/**
 * Posts the money of passes as their facts arrive: issued from the agency's
 * allocation, then redeemed, cancelled, voided or expired. Each pass's value
 * is split across funding lines the same way at every step.
 */
@Injectable()
export class PassPostingsService {
  private readonly logger = new Logger(PassPostingsService.name);

  constructor(
    private readonly programs: ProgramsService,
    private readonly passes: LedgerPassRepository,
    private readonly ledger: LedgerService,
    private readonly settlementItems: SettlementItemsService,
  ) {}

  async onBookletIssued(event: BookletIssuedV1, eventId: string): Promise<void> {
    await this.passes.lockBooklet(event.bookletId);
    const program = await this.programs.postingTermsOf(event.programId);
    await this.passes.insertOutstanding(event.passes.map((pass) => ({ ...pass, bookletId: event.bookletId, programId: event.programId, agencyId: event.agencyId })));
    const split = addSplits(event.passes.map((pass) => splitAmount(pass.amountCents, program.fundingLines)));
    await this.ledger.move(program, 'booklet_issued', split, { from: event.agencyId }, { eventId, reference: event.bookletId });
    // Redemption events can overtake their booklet (another topic): apply them now, in their order.
    for (const parked of await this.passes.unpark<PassEventPayload>(event.bookletId)) {
      await this.onPassEvent(parked);
    }
  }

  async onPassEvent(envelope: EventEnvelope<PassEventPayload>): Promise<void> {
    const event = envelope.payload;
    await this.passes.lockBooklet(event.bookletId);
    const pass = await this.passes.findForUpdate(event.passId);
    if (!pass) {
      if (await this.passes.bookletKnown(event.bookletId)) throw new Error(`Pass ${event.passId} is not in booklet ${event.bookletId}`);
      this.logger.log(`Parking ${envelope.type} ${envelope.eventId}: booklet ${event.bookletId} not posted yet`);
      await this.passes.park(event.bookletId, envelope);
      return;
    }
    const transition = TRANSITIONS[envelope.type];
    if (pass.state !== transition.from) {
      throw new Error(`${envelope.type} for pass ${pass.passId} found it ${pass.state}, expected ${transition.from}`);
    }
    if (event.amountCents !== pass.amountCents) {
      throw new Error(`${envelope.type} for pass ${pass.passId} moves ${event.amountCents} cents, the pass is worth ${pass.amountCents}`);
    }
    const program = await this.programs.postingTermsOf(pass.programId);
    const owners = transition.owners(pass, event);
    const split = splitAmount(pass.amountCents, program.fundingLines);
    // Settlement owes the site what the ledger makes payable, split the same way, in the same transaction.
    const movement = envelope.type === RedemptionCancelled.type ? await this.settlementItems.recordCancelled(event as RedemptionCancelledV1) : transition.movement;
    await this.ledger.move(program, movement, split, owners, { eventId: envelope.eventId, reference: pass.passId });
    if (envelope.type === VoucherRedeemed.type) await this.settlementItems.recordRedeemed(event as VoucherRedeemedV1, split);
    const siteId = transition.to === 'redeemed' ? (event as VoucherRedeemedV1).siteId : null;
    await this.passes.setState(pass.passId, transition.to, siteId);
  }
}
