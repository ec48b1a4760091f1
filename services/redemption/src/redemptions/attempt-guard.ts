import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { TransactionHost } from '@app/database';
import { METRICS_REGISTRY } from '@app/observability';
import { Problem, SERVICE_SETTINGS } from '@app/platform';
import { RedemptionSettings } from '../redemption.settings';
import { GUESSING_REFUSALS, Refusal } from './eligibility';
import { FailedAttemptRepository } from './failed-attempt.repository';

const PARIS_TIME = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' });

/** Slows down code guessing: failed attempts are counted per site and per client address in a sliding window. */
@Injectable()
export class AttemptGuard {
  private readonly refusals: Counter<'reason' | 'operation'>;

  constructor(
    private readonly tx: TransactionHost,
    private readonly attempts: FailedAttemptRepository,
    @Inject(SERVICE_SETTINGS) private readonly settings: RedemptionSettings,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.refusals = new Counter({
      name: 'redemption_refusals_total',
      help: 'Refused redemptions and checks by reason',
      labelNames: ['reason', 'operation'],
      registers: [registry],
    });
  }

  async assertMayTry(siteId: string, clientAddress: string, operation: 'redeem' | 'check'): Promise<void> {
    const until = await this.attempts.blockedUntil(
      siteId,
      clientAddress,
      this.settings.REDEMPTION_MAX_FAILED_ATTEMPTS,
      this.settings.REDEMPTION_FAILED_ATTEMPTS_WINDOW_SECONDS,
    );
    if (until && until > new Date()) {
      this.refusals.inc({ reason: 'TOO_MANY_FAILED_ATTEMPTS', operation });
      throw new Problem(
        HttpStatus.TOO_MANY_REQUESTS,
        'TOO_MANY_FAILED_ATTEMPTS',
        `Trop de codes erronés ont été saisis : réessayez à partir de ${PARIS_TIME.format(until)} (heure de Paris).`,
        { retryAt: until.toISOString() },
      );
    }
  }

  /** Counts refusals, and records the guessing-like ones in their own transaction (the request's rolled back). */
  async recordRefusals(
    siteId: string,
    clientAddress: string,
    refusals: Refusal[],
    operation: 'redeem' | 'check',
  ): Promise<void> {
    for (const refusal of refusals) this.refusals.inc({ reason: refusal.code, operation });
    const guesses = refusals.filter((refusal) => GUESSING_REFUSALS.has(refusal.code));
    if (guesses.length === 0) return;
    await this.tx.run(async () => {
      for (const guess of guesses) await this.attempts.record(siteId, clientAddress, guess.code);
    });
  }

  failuresOf(siteId: string) {
    return this.attempts
      .countForSite(siteId, this.settings.REDEMPTION_FAILED_ATTEMPTS_WINDOW_SECONDS)
      .then((counts) => ({
        siteId,
        ...counts,
        windowSeconds: this.settings.REDEMPTION_FAILED_ATTEMPTS_WINDOW_SECONDS,
        limit: this.settings.REDEMPTION_MAX_FAILED_ATTEMPTS,
      }));
  }
}
