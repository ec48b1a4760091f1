import { Injectable, Logger } from '@nestjs/common';
import { TransactionHost } from '@app/database';
import { DeadLetterRecord, DeadLetterRepository, DeadLetterState, KafkaEventServer } from '@app/messaging';
import { Problem } from '../problem';
import { DeadLetterPageView, ReplayAllView, ReplayedDeadLetterView } from './dead-letter.views';

/** Ids are bigserial: anything else cannot name a dead letter. */
const DEAD_LETTER_ID = /^[1-9]\d{0,17}$/;
/** How many open letters "replay all" reads at a time. */
const REPLAY_ALL_CHUNK = 100;

/**
 * What an operator does with this service's dead letters: look at them,
 * replay one through the live consumer's handlers and inbox once its cause is
 * fixed, or discard it with a reason. Each action is recorded with who and when.
 */
@Injectable()
export class DeadLettersService {
  private readonly logger = new Logger(DeadLettersService.name);

  constructor(
    private readonly tx: TransactionHost,
    private readonly letters: DeadLetterRepository,
    private readonly consumer: KafkaEventServer,
  ) {}

  async list(state: DeadLetterState | undefined, page: number, pageSize: number): Promise<DeadLetterPageView> {
    return { ...(await this.letters.page(state, pageSize, (page - 1) * pageSize)), page, pageSize };
  }

  async get(id: string): Promise<DeadLetterRecord> {
    const letter = DEAD_LETTER_ID.test(id) ? await this.letters.find(id) : null;
    if (!letter) throw notFound(id);
    return letter;
  }

  /**
   * Applies the letter in one transaction with its inbox record and its
   * "replayed" mark, the letter locked meanwhile. If it fails, that
   * transaction rolls back and the letter stays open with the new error.
   */
  async replay(id: string, by: string): Promise<ReplayedDeadLetterView> {
    if (!DEAD_LETTER_ID.test(id)) throw notFound(id);
    try {
      const replayed = await this.tx.run(async () => {
        const letter = await this.openForUpdate(id);
        const outcome = await this.consumer.replay(letter).catch((error: unknown) => {
          throw new StillFailing(error instanceof Error ? error.message : String(error));
        });
        return { ...(await this.letters.markReplayed(id, by)), outcome };
      });
      this.logger.log(`Dead letter ${id} replayed by ${by}: ${replayed.outcome}`);
      return replayed;
    } catch (error) {
      if (!(error instanceof StillFailing)) throw error;
      const reason = error.message;
      const letter = await this.letters.recordFailedReplay(id, reason, by);
      this.logger.warn(`Replaying dead letter ${id} failed again: ${reason}`);
      throw Problem.unprocessable(
        'DEAD_LETTER_REPLAY_FAILED',
        "Le message n'a toujours pas pu être appliqué ; il reste ouvert avec la nouvelle erreur. " +
          "Corrigez-en la cause puis rejouez-le, ou écartez-le en indiquant pourquoi s'il n'y a rien à appliquer.",
        { id, error: reason, attempts: letter?.attempts },
      );
    }
  }

  /** Every letter open when called, oldest first, each on its own: one that fails again stays open and the others go on. */
  async replayAll(by: string): Promise<ReplayAllView> {
    const result: ReplayAllView = { replayed: [], failed: [] };
    const through = await this.letters.lastId();
    let after = '0';
    for (;;) {
      const ids = await this.letters.openIds(after, through, REPLAY_ALL_CHUNK);
      if (ids.length === 0) return result;
      for (const id of ids) {
        try {
          result.replayed.push({ id, outcome: (await this.replay(id, by)).outcome });
        } catch (error) {
          if (!(error instanceof Problem)) throw error;
          // Resolved by someone else meanwhile: nothing left to do with it.
          if (error.code === 'DEAD_LETTER_REPLAY_FAILED')
            result.failed.push({ id, error: String(error.details?.error) });
        }
      }
      after = ids[ids.length - 1];
    }
  }

  async discard(id: string, reason: string, by: string): Promise<DeadLetterRecord> {
    if (!DEAD_LETTER_ID.test(id)) throw notFound(id);
    const discarded = await this.tx.run(async () => {
      await this.openForUpdate(id);
      return this.letters.markDiscarded(id, reason, by);
    });
    this.logger.log(`Dead letter ${id} discarded by ${by}: ${reason}`);
    return discarded;
  }

  private async openForUpdate(id: string): Promise<DeadLetterRecord> {
    const letter = await this.letters.findForUpdate(id);
    if (!letter) throw notFound(id);
    if (letter.state !== 'open')
      throw Problem.conflict(
        'DEAD_LETTER_ALREADY_RESOLVED',
        letter.state === 'replayed'
          ? "Ce message a déjà été rejoué et appliqué : il n'y a plus rien à faire."
          : "Ce message a déjà été écarté : il n'y a plus rien à faire.",
        { id, state: letter.state, resolvedBy: letter.resolvedBy, resolvedAt: letter.resolvedAt },
      );
    return letter;
  }
}

/** Whatever the handler threw (a Problem too): the letter's new error, not this request's answer. */
class StillFailing extends Error {}

function notFound(id: string): Problem {
  return Problem.notFound(
    'DEAD_LETTER_NOT_FOUND',
    'Aucun message en échec ne porte cet identifiant : vérifiez-le dans la liste des messages en échec.',
    { id },
  );
}
