import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  BookletIssuedV1,
  VoidRejectionReason,
  VoucherExpired,
  VoucherVoided,
  VoucherVoidRejected,
  VoucherVoidRequestedV1,
} from '@app/contracts';
import { TransactionHost } from '@app/database';
import { EventPublisher } from '@app/messaging';
import { lastUsableDay } from '../redemptions/eligibility';
import { SERVICE_SETTINGS } from '@app/platform';
import { RedemptionSettings } from '../redemption.settings';
import { OperationsClock, parisDay } from '@app/calendar';
import { PassRepository } from './pass.repository';

export interface ExpiryRun {
  expired: number;
  batches: number;
  durationMs: number;
}

@Injectable()
export class PassesService {
  private readonly logger = new Logger(PassesService.name);

  constructor(
    private readonly tx: TransactionHost,
    private readonly passes: PassRepository,
    private readonly events: EventPublisher,
    @Inject(SERVICE_SETTINGS) private readonly settings: RedemptionSettings,
    private readonly clock: OperationsClock,
  ) {}

  /** Runs in the consumer's transaction: the passes become known exactly once. */
  recordIssued(booklets: BookletIssuedV1[]): Promise<void> {
    return this.passes.insertIssued(
      booklets.flatMap((booklet) =>
        booklet.passes.map((pass) => ({
          id: pass.passId,
          bookletId: booklet.bookletId,
          programId: booklet.programId,
          agencyId: booklet.agencyId,
          codeHash: pass.codeHash,
          amountCents: pass.amountCents,
          territory: booklet.territory,
          validFrom: booklet.validFrom,
          validUntil: booklet.validUntil,
          toleranceDays: booklet.toleranceDays,
        })),
      ),
    );
  }

  /**
   * Answers a counselor's void request. An unknown pass is an answer too
   * (unknown_pass), not a dead letter: issuance waits for one either way.
   */
  async answerVoidRequest(request: VoucherVoidRequestedV1): Promise<void> {
    const pass = await this.passes.lockById(request.passId);
    const rejection = this.voidRejection(pass, request);
    if (rejection || !pass) {
      await this.events.publish(VoucherVoidRejected, {
        requestId: request.requestId,
        passId: request.passId,
        bookletId: request.bookletId,
        reason: rejection ?? 'unknown_pass',
      });
      return;
    }
    await this.passes.setStatus([pass.id], 'issued', 'voided');
    await this.events.publish(VoucherVoided, {
      requestId: request.requestId,
      passId: pass.id,
      bookletId: pass.bookletId,
      programId: pass.programId,
      agencyId: pass.agencyId,
      amountCents: pass.amountCents,
      voidedAt: new Date().toISOString(),
    });
  }

  private voidRejection(
    pass: Awaited<ReturnType<PassRepository['lockById']>>,
    request: VoucherVoidRequestedV1,
  ): VoidRejectionReason | null {
    if (!pass || pass.bookletId !== request.bookletId) return 'unknown_pass';
    if (pass.status === 'redeemed') return 'already_redeemed';
    if (pass.status === 'voided') return 'already_voided';
    if (pass.status === 'expired' || lastUsableDay(pass) < parisDay(new Date())) return 'expired';
    return null;
  }

  /**
   * Expires every issued pass past its last usable day, batch by batch: each
   * batch's UPDATE and its VoucherExpired events commit together, and a pass
   * expired once is no longer 'issued', so a second run emits nothing.
   * EXPIRY_PARALLEL_BATCHES workers take batches at once; a worker stops at a
   * short batch (nothing left that another worker or a redemption has not
   * locked), and the others go on until theirs are short too.
   */
  async expireDue(today = parisDay(this.clock.now())): Promise<ExpiryRun> {
    const started = Date.now();
    const expiredAt = new Date().toISOString();
    const limit = this.settings.EXPIRY_BATCH_SIZE;
    let expired = 0;
    let batches = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const count = await this.tx.run(async () => {
          const passes = await this.passes.expireBatch(today, limit);
          await this.events.publishAll(
            VoucherExpired,
            passes.map((pass) => ({
              passId: pass.id,
              bookletId: pass.bookletId,
              programId: pass.programId,
              agencyId: pass.agencyId,
              amountCents: pass.amountCents,
              expiredAt,
            })),
          );
          return passes.length;
        });
        if (count === 0) return;
        expired += count;
        batches += 1;
        if (count < limit) return;
      }
    };
    await Promise.all(Array.from({ length: this.settings.EXPIRY_PARALLEL_BATCHES }, worker));
    const run = { expired, batches, durationMs: Date.now() - started };
    if (expired > 0) this.logger.log(`Expired ${expired} pass(es) in ${batches} batch(es) in ${run.durationMs} ms`);
    return run;
  }
}
