import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuthenticatedUser, canActFor } from '@app/auth';
import { VoucherVoidRequested } from '@app/contracts';
import { TransactionHost } from '@app/database';
import { EventPublisher } from '@app/messaging';
import { Problem } from '@app/platform';
import { BookletRepository, BookletRow, PassRow } from '../booklets/booklet.repository';
import { BookletsService } from '../booklets/booklets.service';
import { RequestVoidDto, VoidRequestView } from './dto/void-request.dto';
import { VoidRequestRepository } from './void-request.repository';

/**
 * A counselor asks to void passes; redemption, the single writer of terminal
 * states, decides (VoucherVoided or VoucherVoidRejected).
 */
@Injectable()
export class VoidsService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly booklets: BookletsService,
    private readonly bookletRows: BookletRepository,
    private readonly requests: VoidRequestRepository,
    private readonly events: EventPublisher,
  ) {}

  voidPass(passId: string, command: RequestVoidDto, counselor: AuthenticatedUser): Promise<VoidRequestView[]> {
    return this.tx.run(async () => {
      const pass = await this.bookletRows.findPass(passId);
      const booklet = pass ? await this.bookletRows.findById(pass.bookletId) : null;
      if (!pass || !booklet || !canActFor(counselor, booklet.agencyId))
        throw Problem.notFound('PASS_NOT_FOUND', 'Ce pass est introuvable.');
      if (pass.status !== 'issued') {
        throw Problem.conflict(
          'PASS_NOT_VOIDABLE',
          `Ce pass ne peut pas être annulé : il est déjà ${FRENCH_STATUS[pass.status]}.`,
          { status: pass.status },
        );
      }
      return this.request(booklet, [pass], command, counselor);
    });
  }

  /** Only a booklet none of whose passes was used, voided or expired. */
  voidBooklet(bookletId: string, command: RequestVoidDto, counselor: AuthenticatedUser): Promise<VoidRequestView[]> {
    return this.tx.run(async () => {
      const booklet = await this.booklets.findVisible(bookletId, counselor);
      const passes = await this.bookletRows.findPasses(bookletId);
      if (passes.some((p) => p.status !== 'issued')) {
        throw Problem.conflict(
          'BOOKLET_NOT_UNUSED',
          'Ce carnet ne peut pas être annulé en entier : certains de ses pass sont déjà utilisés, annulés ou expirés. Annulez les pass un par un.',
        );
      }
      return this.request(booklet, passes, command, counselor);
    });
  }

  private async request(
    booklet: BookletRow,
    passes: PassRow[],
    command: RequestVoidDto,
    counselor: AuthenticatedUser,
  ): Promise<VoidRequestView[]> {
    const inserted = await this.requests.insertUnlessPending(
      passes.map((pass) => ({
        id: randomUUID(),
        passId: pass.id,
        reason: command.reason,
        comment: command.comment ?? null,
        requestedBy: counselor.subject,
      })),
    );
    if (inserted.length !== passes.length) {
      throw Problem.conflict('VOID_ALREADY_REQUESTED', "Une demande d'annulation est déjà en cours pour ce pass.");
    }
    for (const request of inserted) {
      await this.events.publish(VoucherVoidRequested, {
        requestId: request.id,
        passId: request.passId,
        bookletId: booklet.id,
        programId: booklet.programId,
        agencyId: booklet.agencyId,
        reason: request.reason,
        ...(request.comment ? { comment: request.comment } : {}),
        requestedBy: request.requestedBy,
      });
    }
    return inserted;
  }
}

const FRENCH_STATUS = { issued: 'délivré', redeemed: 'utilisé', voided: 'annulé', expired: 'expiré' } as const;
