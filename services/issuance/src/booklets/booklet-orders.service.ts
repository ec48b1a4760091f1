import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuthenticatedUser, canActFor } from '@app/auth';
import { TransactionHost } from '@app/database';
import { formatPassCode } from '@app/pass-codes';
import { claimFirst, IdempotencyKey, Problem, requestFingerprint } from '@app/platform';
import { bookletValueCents } from '../programs/program.entity';
import { agencyIdOf, agencyNotFound, BookletIssuer } from './booklet-issuer';
import { BookletOrderRepository, BookletOrderRow } from './booklet-order.repository';
import { BookletRepository } from './booklet.repository';
import { BookletOrderView, IssuedBookletOrderView, IssuedBookletView } from './dto/booklet.views';
import { OrderBookletsDto } from './dto/order-booklets.dto';
import { PassCodeCipher } from './pass-code-cipher';

/**
 * Bulk issuance for an agency's campaign: one order, one transaction, all
 * booklets or none against the allocation, one BookletIssued per booklet.
 */
@Injectable()
export class BookletOrdersService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly orders: BookletOrderRepository,
    private readonly booklets: BookletRepository,
    private readonly issuer: BookletIssuer,
    private readonly cipher: PassCodeCipher,
  ) {}

  /**
   * The key is claimed first: a retry of the same order (e.g. after a timeout)
   * answers the booklets already issued instead of issuing them twice, even if
   * the program has closed since.
   */
  async order(
    command: OrderBookletsDto,
    idempotencyKey: IdempotencyKey,
    counselor: AuthenticatedUser,
  ): Promise<IssuedBookletOrderView> {
    const agencyId = agencyIdOf(counselor);
    if (!agencyId) throw agencyNotFound();
    const request = { scope: agencyId, key: idempotencyKey, fingerprint: requestFingerprint(command) };
    return this.tx.run(() =>
      claimFirst(this.orders, request, {
        replay: ({ order }) => this.replay(order),
        first: async () => {
          const context = await this.issuer.contextFor(counselor, command.programId);
          const booklets = command.beneficiaries.length;
          const order = await this.orders.insert(
            {
              id: randomUUID(),
              programId: context.program.id,
              agencyId: context.agencyId,
              bookletCount: booklets,
              totalCents: booklets * bookletValueCents(context.program),
              orderedBy: counselor.subject,
            },
            idempotencyKey,
          );
          const issued = await this.issuer.issue(context, counselor, command.beneficiaries, order.id);
          return { ...viewOf(order), booklets: issued };
        },
      }),
    );
  }

  /** A booklet order of another agency answers 404 as if it did not exist. */
  async get(id: string, user: AuthenticatedUser): Promise<BookletOrderView> {
    const order = await this.orders.findById(id);
    if (!order || !canActFor(user, order.agencyId))
      throw Problem.notFound('BOOKLET_ORDER_NOT_FOUND', 'Cette commande de carnets est introuvable.');
    return { ...viewOf(order), bookletIds: await this.booklets.findOrderBookletIds(id) };
  }

  /** The same answer as the first time, codes reopened from their sealed copies (as printing does). */
  private async replay(order: BookletOrderRow): Promise<IssuedBookletOrderView> {
    const rows = await this.booklets.findOrderBookletsWithSealedCodes(order.id);
    const booklets: IssuedBookletView[] = rows.map((row) => ({
      id: row.id,
      programId: row.programId,
      agencyId: row.agencyId,
      beneficiary: {
        beneficiaryRef: row.beneficiaryRef,
        ageBand: row.ageBand,
        situation: row.situation,
        diagnosticLevel: row.diagnosticLevel,
      },
      totalCents: row.totalCents,
      issuedBy: row.issuedBy,
      issuedAt: row.issuedAt,
      validUntil: row.validUntil,
      passes: row.passes.map((p) => ({
        id: p.id,
        position: p.position,
        amountCents: p.amountCents,
        code: formatPassCode(this.cipher.open(p.id, Buffer.from(p.codeSealed, 'base64'))),
      })),
    }));
    return { ...viewOf(order), booklets };
  }
}

function viewOf(order: BookletOrderRow) {
  return {
    id: order.id,
    programId: order.programId,
    agencyId: order.agencyId,
    bookletCount: order.bookletCount,
    totalCents: order.totalCents,
    orderedBy: order.orderedBy,
    orderedAt: order.orderedAt,
  };
}
