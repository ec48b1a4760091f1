import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@app/observability';
import { randomUUID } from 'node:crypto';
import { AuthenticatedUser } from '@app/auth';
import { RedemptionCancelled, VoucherRedeemed } from '@app/contracts';
import { TransactionHost } from '@app/database';
import { EventPublisher } from '@app/messaging';
import { hashPassCode, ParsedPassCode, parsePassCode } from '@app/pass-codes';
import { claimFirst, IdempotencyKey, Problem, requestFingerprint } from '@app/platform';
import { PassRepository } from '../passes/pass.repository';
import { parisDay } from '@app/calendar';
import { Site } from '../sites/site.model';
import { SiteRepository } from '../sites/site.repository';
import { Admission, AttemptGuard, AttemptSource, tooManyFailedAttempts } from './attempt-guard';
import { CancellationView, PassCheckView, RedemptionView, SiteRedemptionsPage } from './dto/redeem.dto';
import { lastUsableDay, parisDateTime, passRefusal, Refusal, siteRefusal } from './eligibility';
import { HeldRedemption, RedemptionRepository } from './redemption.repository';

const CANCELLATION_WINDOW_MS = 24 * 60 * 60 * 1000;

/** A refusal of the whole request: the first reason is the answer's code, every refused code gets its own line. */
class RedemptionRefused extends Problem {
  constructor(first: Refusal, perCode: Array<{ position: number } & Refusal> = []) {
    const status =
      first.code.startsWith('SITE_') && first.code !== 'SITE_OUTSIDE_TERRITORY'
        ? HttpStatus.FORBIDDEN
        : first.code === 'PASS_ALREADY_REDEEMED'
          ? HttpStatus.CONFLICT
          : HttpStatus.UNPROCESSABLE_ENTITY;
    super(status, first.code, first.message, perCode.length > 0 ? { codes: perCode } : undefined);
  }
}

/** Every typed code's outcome, one at least refused: thrown to roll the request back, told once the guard allows. */
class CodesRefused extends Error {
  constructor(readonly outcomes: Array<Refusal | null>) {
    super('Codes refused');
  }
}

/** The answer to a request whose codes were refused, as far as the guard lets it tell. */
function refusalOf(admission: Admission): Problem {
  const perCode = admission.outcomes.flatMap((outcome, position) => (outcome ? [{ position, ...outcome }] : []));
  if (admission.retryAt) return tooManyFailedAttempts(admission.retryAt, { codes: perCode });
  return new RedemptionRefused(perCode[0] as Refusal, perCode as Array<{ position: number } & Refusal>);
}

/**
 * What a retry must repeat to get the first answer: the passes, however they
 * were typed (case, spaces, dashes, O for 0…) and in whatever order, since
 * they are redeemed all together or not at all. A code that does not parse
 * is never redeemed; it stays as typed.
 */
function passesFingerprint(codes: string[], parsed: ParsedPassCode[]): string {
  return requestFingerprint(parsed.map((code, position) => (code.valid ? code.canonical : codes[position])).sort());
}

/** A retry gets the first answer, unless the redemption was cancelled since: then it says so. */
function replayed(held: HeldRedemption): RedemptionView {
  if (held.cancelledAt) {
    throw Problem.conflict(
      'REDEMPTION_CANCELLED',
      `Cette validation a été annulée le ${parisDateTime(held.cancelledAt)} : ses pass ne sont pas validés. ` +
        'Pour les valider, faites une nouvelle demande, avec une nouvelle clé.',
      { redemptionId: held.redemptionId, cancelledAt: held.cancelledAt.toISOString() },
    );
  }
  return held.response as RedemptionView;
}

@Injectable()
export class RedemptionsService {
  private readonly redeemed: Counter;
  private readonly cancelled: Counter;

  constructor(
    private readonly tx: TransactionHost,
    private readonly redemptions: RedemptionRepository,
    private readonly passes: PassRepository,
    private readonly sites: SiteRepository,
    private readonly guard: AttemptGuard,
    private readonly events: EventPublisher,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.redeemed = new Counter({
      name: 'passes_redeemed_total',
      help: 'Passes redeemed (counted once committed)',
      registers: [registry],
    });
    this.cancelled = new Counter({
      name: 'redemptions_cancelled_total',
      help: 'Redeemed passes made usable again by a cancellation',
      registers: [registry],
    });
  }

  /**
   * All or nothing, in one transaction: the passes are locked, checked,
   * redeemed, and their VoucherRedeemed events written to the outbox. The key
   * is claimed first: a retried request (same key, same passes) gets the first
   * answer again, stored with the redemption. Refused codes are told after
   * the rollback, as far as the guessing limit allows.
   */
  async redeem(
    user: AuthenticatedUser,
    idempotencyKey: IdempotencyKey,
    codes: string[],
    clientAddress: string,
  ): Promise<RedemptionView> {
    const siteId = this.siteOf(user);
    const source: AttemptSource = { siteId, clientAddress };
    const parsed = codes.map((code) => parsePassCode(code));
    const request = { scope: siteId, key: idempotencyKey, fingerprint: passesFingerprint(codes, parsed) };
    try {
      return await this.tx.run(async () => {
        // Before the claim, whose row refers to the site: an unregistered site is a 403, not a foreign key error.
        const site = await this.existingSite(siteId, 'SHARE');
        return claimFirst(this.redemptions, request, {
          replay: replayed,
          first: () => this.redeemClaimed(user, site, idempotencyKey, parsed, source),
        });
      });
    } catch (error) {
      if (error instanceof CodesRefused) throw refusalOf(await this.guard.admit(source, error.outcomes, 'redeem'));
      throw error;
    }
  }

  /** A first request's redemption, its key claimed by the surrounding transaction. */
  private async redeemClaimed(
    user: AuthenticatedUser,
    site: Site,
    idempotencyKey: IdempotencyKey,
    parsed: ParsedPassCode[],
    source: AttemptSource,
  ): Promise<RedemptionView> {
    const siteId = site.id;
    const today = parisDay(new Date());
    const refusedSite = siteRefusal(site, today);
    if (refusedSite) {
      this.guard.count([refusedSite], 'redeem');
      throw new RedemptionRefused(refusedSite);
    }

    const hashes = parsed.map((code) => (code.valid ? hashPassCode(code.canonical) : null));
    if (new Set(hashes.filter(Boolean)).size !== hashes.filter(Boolean).length) {
      throw Problem.unprocessable(
        'CODES_DUPLICATED',
        'Le même pass figure plusieurs fois dans la demande : retirez les doublons.',
      );
    }
    const locked = new Map(
      (await this.passes.lockByCodeHashes(hashes.filter((hash): hash is string => hash !== null))).map((p) => [
        p.codeHash,
        p,
      ]),
    );
    const outcomes = parsed.map((code, position) =>
      passRefusal(code, locked.get(hashes[position]!) ?? null, site, today),
    );
    if (outcomes.some((outcome) => outcome !== null)) throw new CodesRefused(outcomes);
    // Good codes are told, like refused ones, only while the source is not blocked: a 201 then is no tell.
    await this.guard.assertNotBlocked(source, 'redeem');

    const passes = hashes.map((hash) => locked.get(hash!)!);
    const redemptionId = randomUUID();
    const redeemedAt = new Date();
    const response: RedemptionView = {
      redemptionId,
      siteId,
      redeemedAt: redeemedAt.toISOString(),
      totalCents: passes.reduce((sum, p) => sum + p.amountCents, 0),
      passes: passes.map((p) => ({ passId: p.id, amountCents: p.amountCents })),
    };
    const redemption = {
      id: redemptionId,
      siteId,
      redeemedBy: user.subject,
      redeemedAt,
      lines: passes.map((p) => ({ ...p, passId: p.id })),
    };
    if (!(await this.redemptions.record(redemption, idempotencyKey, response))) {
      throw Problem.conflict(
        'PASS_ALREADY_REDEEMED',
        'Un de ces pass vient d’être utilisé par ailleurs : aucun pass n’a été validé.',
      );
    }
    await this.events.publishAll(
      VoucherRedeemed,
      passes.map((pass) => ({
        redemptionId,
        passId: pass.id,
        bookletId: pass.bookletId,
        programId: pass.programId,
        agencyId: pass.agencyId,
        siteId,
        amountCents: pass.amountCents,
        redeemedAt: redeemedAt.toISOString(),
        redeemedBy: user.subject,
      })),
      redeemedAt,
    );
    this.tx.afterCommit(() => this.redeemed.inc(passes.length));
    return response;
  }

  /** What redeeming would answer, without redeeming; a pass of another territory shows nothing but that. */
  async check(user: AuthenticatedUser, code: string, clientAddress: string): Promise<PassCheckView> {
    const siteId = this.siteOf(user);
    const site = await this.existingSite(siteId);
    const today = parisDay(new Date());
    const refusedSite = siteRefusal(site, today);
    if (refusedSite) {
      this.guard.count([refusedSite], 'check');
      return { usable: false, code: refusedSite.code, message: refusedSite.message };
    }
    const parsed = parsePassCode(code);
    const pass = parsed.valid ? await this.passes.findByCodeHash(hashPassCode(parsed.canonical)) : null;
    const source = { siteId, clientAddress };
    const {
      outcomes: [refusal],
    } = await this.guard.admit(source, [passRefusal(parsed, pass, site, today)], 'check');
    if (refusal) return { usable: false, code: refusal.code, message: refusal.message };
    return { usable: true, amountCents: pass!.amountCents, usableUntil: lastUsableDay(pass!) };
  }

  /** The site's own redemptions in [from, to) (default: the last 24 hours), newest first, with what it may still cancel. */
  async history(
    user: AuthenticatedUser,
    from: string | undefined,
    to: string | undefined,
    page: number,
    pageSize: number,
  ): Promise<SiteRedemptionsPage> {
    const siteId = this.siteOf(user);
    const now = new Date();
    const until = to ? new Date(to) : now;
    const since = from ? new Date(from) : new Date(until.getTime() - CANCELLATION_WINDOW_MS);
    if (since.getTime() > until.getTime())
      throw new Problem(
        HttpStatus.BAD_REQUEST,
        'HISTORY_RANGE_INVALID',
        'Le début de la période doit précéder sa fin.',
      );
    const { rows, total } = await this.redemptions.listBySite(siteId, since, until, pageSize, (page - 1) * pageSize);
    const items = rows.map((row) => {
      const deadline = row.redeemed_at.getTime() + CANCELLATION_WINDOW_MS;
      return {
        redemptionId: row.id,
        redeemedAt: row.redeemed_at.toISOString(),
        totalCents: row.total_cents,
        passCount: row.pass_count,
        cancelledAt: row.cancelled_at?.toISOString() ?? null,
        cancellableUntil:
          row.cancelled_at === null && deadline > now.getTime() ? new Date(deadline).toISOString() : null,
      };
    });
    return { items, total, page, pageSize };
  }

  /** The site undoes its own redemption within 24 hours; the passes are usable again. */
  cancel(user: AuthenticatedUser, redemptionId: string, reason: string): Promise<CancellationView> {
    const siteId = this.siteOf(user);
    return this.tx.run(async () => {
      const redemption = await this.redemptions.lock(redemptionId);
      if (!redemption || redemption.siteId !== siteId)
        throw Problem.notFound('REDEMPTION_NOT_FOUND', 'Validation introuvable pour votre lieu.');
      if (redemption.cancelledAt)
        throw Problem.conflict('REDEMPTION_ALREADY_CANCELLED', 'Cette validation a déjà été annulée.');
      const cancelledAt = new Date();
      if (cancelledAt.getTime() - redemption.redeemedAt.getTime() > CANCELLATION_WINDOW_MS) {
        throw Problem.conflict(
          'REDEMPTION_CANCELLATION_TOO_LATE',
          "Une validation ne peut être annulée que dans les 24 heures : contactez l'opérateur du dispositif.",
        );
      }
      await this.redemptions.cancel(redemption.id, cancelledAt, user.subject, reason);
      const passIds = redemption.lines.map((line) => line.passId);
      await this.passes.setStatus(passIds, 'redeemed', 'issued');
      await this.events.publishAll(
        RedemptionCancelled,
        redemption.lines.map((line) => ({
          redemptionId: redemption.id,
          ...line,
          siteId,
          cancelledAt: cancelledAt.toISOString(),
          reason,
          cancelledBy: user.subject,
        })),
        cancelledAt,
      );
      this.tx.afterCommit(() => this.cancelled.inc(passIds.length));
      return { redemptionId: redemption.id, cancelledAt: cancelledAt.toISOString(), passIds };
    });
  }

  private siteOf(user: AuthenticatedUser): string {
    if (!user.org || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(user.org))
      throw Problem.forbidden('SITE_REQUIRED', "Votre jeton n'est rattaché à aucun lieu de médiation.");
    return user.org;
  }

  private async existingSite(siteId: string, lock?: 'SHARE'): Promise<Site> {
    const site = lock ? await this.sites.lockById(siteId, lock) : await this.sites.findById(siteId);
    if (!site) throw Problem.forbidden('SITE_NOT_FOUND', "Le lieu de votre jeton n'est pas enregistré.");
    return site;
  }
}
