import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@app/observability';
import { randomUUID } from 'node:crypto';
import { AuthenticatedUser } from '@app/auth';
import { RedemptionCancelled, VoucherRedeemed } from '@app/contracts';
import { TransactionHost } from '@app/database';
import { EventPublisher } from '@app/messaging';
import { hashPassCode, parsePassCode } from '@app/pass-codes';
import { claimFirst, IdempotencyKey, Problem, requestFingerprint } from '@app/platform';
import { PassRepository } from '../passes/pass.repository';
import { parisDay } from '@app/calendar';
import { Site } from '../sites/site.model';
import { SiteRepository } from '../sites/site.repository';
import { AttemptGuard } from './attempt-guard';
import { CancellationView, PassCheckView, RedemptionView, SiteRedemptionsPage } from './dto/redeem.dto';
import { lastUsableDay, passRefusal, Refusal, siteRefusal } from './eligibility';
import { RedemptionRepository } from './redemption.repository';

const CANCELLATION_WINDOW_MS = 24 * 60 * 60 * 1000;

/** A refusal of the whole request: the first reason is the answer's code, every typed code gets its own line. */
class RedemptionRefused extends Problem {
  constructor(
    readonly refusals: Refusal[],
    perCode: Array<{ position: number } & Refusal>,
  ) {
    const first = refusals[0];
    const status =
      first.code.startsWith('SITE_') && first.code !== 'SITE_OUTSIDE_TERRITORY'
        ? HttpStatus.FORBIDDEN
        : first.code === 'PASS_ALREADY_REDEEMED'
          ? HttpStatus.CONFLICT
          : HttpStatus.UNPROCESSABLE_ENTITY;
    super(status, first.code, first.message, perCode.length > 0 ? { codes: perCode } : undefined);
  }
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
   * is claimed first: a retried request (same key, same codes) gets the first
   * answer again, stored with the redemption.
   */
  async redeem(
    user: AuthenticatedUser,
    idempotencyKey: IdempotencyKey,
    codes: string[],
    clientAddress: string,
  ): Promise<RedemptionView> {
    const siteId = this.siteOf(user);
    await this.guard.assertMayTry(siteId, clientAddress, 'redeem');
    const request = { scope: siteId, key: idempotencyKey, fingerprint: requestFingerprint(codes) };
    try {
      return await this.tx.run(() =>
        claimFirst(this.redemptions, request, {
          replay: (held) => held.response as RedemptionView,
          first: () => this.redeemClaimed(user, siteId, idempotencyKey, codes),
        }),
      );
    } catch (error) {
      if (error instanceof RedemptionRefused)
        await this.guard.recordRefusals(siteId, clientAddress, error.refusals, 'redeem');
      throw error;
    }
  }

  /** A first request's redemption, its key claimed by the surrounding transaction. */
  private async redeemClaimed(
    user: AuthenticatedUser,
    siteId: string,
    idempotencyKey: IdempotencyKey,
    codes: string[],
  ): Promise<RedemptionView> {
    const site = await this.existingSite(siteId, 'SHARE');
    const today = parisDay(new Date());
    const refusedSite = siteRefusal(site, today);
    if (refusedSite) throw new RedemptionRefused([refusedSite], []);

    const parsed = codes.map((code) => parsePassCode(code));
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
    const perCode = parsed.map((code, position) => ({
      position,
      refusal: passRefusal(code, locked.get(hashes[position]!) ?? null, site, today),
    }));
    const refused = perCode.flatMap(({ position, refusal }) => (refusal ? [{ position, ...refusal }] : []));
    if (refused.length > 0) throw new RedemptionRefused(refused, refused);

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
    await this.guard.assertMayTry(siteId, clientAddress, 'check');
    const site = await this.existingSite(siteId);
    const today = parisDay(new Date());
    const parsed = parsePassCode(code);
    const pass = parsed.valid ? await this.passes.findByCodeHash(hashPassCode(parsed.canonical)) : null;
    const refusal = siteRefusal(site, today) ?? passRefusal(parsed, pass, site, today);
    if (refusal) {
      await this.guard.recordRefusals(siteId, clientAddress, [refusal], 'check');
      return { usable: false, code: refusal.code, message: refusal.message };
    }
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
