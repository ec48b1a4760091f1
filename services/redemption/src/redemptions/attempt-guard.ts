import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { TransactionHost } from '@app/database';
import { METRICS_REGISTRY } from '@app/observability';
import { Problem, SERVICE_SETTINGS } from '@app/platform';
import { RedemptionSettings } from '../redemption.settings';
import { GUESSING_REFUSALS, Refusal } from './eligibility';
import { AttemptLimits, AttemptSource, FailedAttemptRepository } from './failed-attempt.repository';

export type { AttemptSource } from './failed-attempt.repository';

type Operation = 'redeem' | 'check';

const PARIS_TIME = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' });

/** A typed code the service did not tell anything about: the allowance ran out before it. */
export interface Unchecked {
  code: 'TOO_MANY_FAILED_ATTEMPTS';
  message: string;
}

/** What may be told of a request's codes, in its order. */
export interface Admission {
  /** Per typed code: null when usable, its refusal, or unchecked once the allowance ran out. */
  outcomes: Array<Refusal | Unchecked | null>;
  /** When some codes are unchecked: the moment the source may try again. */
  retryAt: Date | null;
}

/** The 429 of a blocked source, with the codes told and unchecked when a request was only partly checked. */
export function tooManyFailedAttempts(until: Date, details: Record<string, unknown> = {}): Problem {
  return new Problem(
    HttpStatus.TOO_MANY_REQUESTS,
    'TOO_MANY_FAILED_ATTEMPTS',
    `Trop de codes erronés ont été saisis : réessayez à partir de ${PARIS_TIME.format(until)} (heure de Paris).`,
    { retryAt: until.toISOString(), ...details },
  );
}

/**
 * Slows down code guessing: wrong codes (invalid or unknown) are counted per
 * site and per client address at that site, never per address alone, in a
 * sliding window. No more wrong codes are ever told than the limits allow,
 * however many requests run at once on however many instances: each
 * request's wrong codes are granted in the database under a lock of the site,
 * before anything about them is told.
 */
@Injectable()
export class AttemptGuard {
  private readonly refusals: Counter<'reason' | 'operation'>;
  private readonly limits: AttemptLimits;

  constructor(
    private readonly tx: TransactionHost,
    private readonly attempts: FailedAttemptRepository,
    @Inject(SERVICE_SETTINGS) settings: RedemptionSettings,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.refusals = new Counter({
      name: 'redemption_refusals_total',
      help: 'Refused redemptions and checks by reason',
      labelNames: ['reason', 'operation'],
      registers: [registry],
    });
    this.limits = {
      perSite: settings.REDEMPTION_MAX_FAILED_ATTEMPTS_PER_SITE,
      perAddress: settings.REDEMPTION_MAX_FAILED_ATTEMPTS,
      windowSeconds: settings.REDEMPTION_FAILED_ATTEMPTS_WINDOW_SECONDS,
    };
  }

  /**
   * What may be told of a request's evaluated codes (in its order; null for a
   * usable one). Blocked: 429, whatever the codes, so a good code is no tell.
   * Otherwise the wrong codes are recorded as far as the allowance goes, and
   * the request is told up to the last of them: the codes after it are left
   * unchecked rather than the whole request refused, so a site one attempt
   * short of the limit still hears about its first typo. Call it outside any
   * transaction: the grant commits in its own before anything is told.
   */
  async admit(source: AttemptSource, outcomes: Array<Refusal | null>, operation: Operation): Promise<Admission> {
    const guesses = outcomes.flatMap((outcome, position) =>
      outcome && GUESSING_REFUSALS.has(outcome.code) ? [position] : [],
    );
    if (guesses.length === 0) {
      await this.assertNotBlocked(source, operation);
      this.count(outcomes, operation);
      return { outcomes, retryAt: null };
    }
    const reasons = guesses.map((position) => outcomes[position]!.code);
    const { granted, blockedUntil } = await this.tx.run(() => this.attempts.grant(source, reasons, this.limits));
    if (granted === 0) throw this.blocked(blockedUntil!, operation);
    if (granted === guesses.length) {
      this.count(outcomes, operation);
      return { outcomes, retryAt: null };
    }
    const firstUnchecked = guesses[granted];
    const unchecked: Unchecked = {
      code: 'TOO_MANY_FAILED_ATTEMPTS',
      message: `Ce code n’a pas été vérifié : trop de codes erronés ont été saisis. Réessayez à partir de ${PARIS_TIME.format(blockedUntil!)} (heure de Paris).`,
    };
    this.count(outcomes.slice(0, firstUnchecked), operation);
    this.refusals.inc({ reason: 'TOO_MANY_FAILED_ATTEMPTS', operation });
    return {
      outcomes: outcomes.map((outcome, position) => (position < firstUnchecked ? outcome : unchecked)),
      retryAt: blockedUntil,
    };
  }

  /** 429 when the source has used its attempts; else nothing (a plain read: a request with no wrong code uses none). */
  async assertNotBlocked(source: AttemptSource, operation: Operation): Promise<void> {
    const until = await this.attempts.blockedUntil(source, this.limits);
    if (until) throw this.blocked(until, operation);
  }

  /** Counts refusals told, by reason. */
  count(refusals: Array<Refusal | null>, operation: Operation): void {
    for (const refusal of refusals) if (refusal) this.refusals.inc({ reason: refusal.code, operation });
  }

  async failuresOf(siteId: string) {
    const counts = await this.attempts.countForSite(siteId, this.limits.windowSeconds);
    return {
      siteId,
      ...counts,
      windowSeconds: this.limits.windowSeconds,
      limit: this.limits.perSite,
      limitPerAddress: this.limits.perAddress,
    };
  }

  private blocked(until: Date, operation: Operation): Problem {
    this.refusals.inc({ reason: 'TOO_MANY_FAILED_ATTEMPTS', operation });
    return tooManyFailedAttempts(until);
  }
}
