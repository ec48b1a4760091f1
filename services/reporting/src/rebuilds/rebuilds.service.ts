import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { TopicName, Topics } from '@app/contracts';
import { TransactionHost } from '@app/database';
import { applyInHalves, PartitionOffsets, ReplayedEvent, TopicReplayer } from '@app/messaging';
import { AuthenticatedUser } from '@app/auth';
import { Problem } from '@app/platform';
import { GenerationRepository } from '../projection/generation.repository';
import { ProjectionService } from '../projection/projection.service';
import { RebuildRepository, RebuildRow } from './rebuild.repository';

/** Causes before effects: programs before booklets, booklets before their passes' outcomes. */
const REPLAY_ORDER: readonly TopicName[] = [Topics.funding, Topics.issuance, Topics.redemption];
/** Catch-up rounds stop once a round replays fewer events than this: the last stretch is replayed under the switch lock. */
const SMALL_GAP = 500;
const MAX_CATCH_UP_ROUNDS = 10;
const REPLAY_CONCURRENCY = 3;
/**
 * Batches of a partition handed over and not yet applied: with 2, the next
 * fetch is decoded and checked while PostgreSQL applies, instead of waiting
 * for the batch before (about 7 % faster; the reporting instance peaked
 * 18 MiB higher, 254 MiB, on the benchmark's data).
 */
const REPLAY_QUEUE_DEPTH = 2;
const REPLAY_ATTEMPTS = 3;
/** Events applied per transaction, at most: one partition's fetched batch, in a few statements per table. */
const REPLAY_BATCH_SIZE = 1000;
/** A running rebuild renews its lease this often; one not renewed for LEASE_SECONDS is taken for dead. */
const HEARTBEAT_INTERVAL_MS = 5_000;
const LEASE_SECONDS = 60;

/** Another instance took this rebuild for dead (its heartbeats stopped for a while): it must stop writing. */
class AbandonedRebuild extends Error {
  constructor(id: string) {
    super(`Rebuild ${id} was taken for dead by another instance`);
  }
}

export interface RebuildView {
  id: string;
  generation: number;
  status: RebuildRow['status'];
  requestedBy: string;
  startedAt: string;
  finishedAt: string | null;
  replayedEvents: number;
  invalidEvents: number;
  error: string | null;
  /** While running: when its instance last said it was alive. */
  heartbeatAt: string;
}

/**
 * Rebuilds the read models from zero into a new generation while the API
 * and the live consumer go on with the active one, then switches over
 * atomically once the new generation has caught up with the log. The new
 * generation is filled without its secondary indexes and foreign keys, which
 * are built once just before the switch.
 */
@Injectable()
export class RebuildsService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(RebuildsService.name);
  private current?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly tx: TransactionHost,
    private readonly generations: GenerationRepository,
    private readonly rebuilds: RebuildRepository,
    private readonly projection: ProjectionService,
    private readonly replayer: TopicReplayer,
  ) {}

  async start(user: AuthenticatedUser): Promise<RebuildView> {
    const id = randomUUID();
    const generation = await this.tx.run(async () => {
      // A rebuild whose instance died would otherwise block every later one.
      for (const abandoned of await this.rebuilds.endAbandoned(LEASE_SECONDS)) {
        this.logger.warn(
          `Rebuild ${abandoned.id} of generation ${abandoned.generation} had no heartbeat for ${LEASE_SECONDS} s: ${abandoned.status}`,
        );
        if (abandoned.status === 'failed') await this.generations.drop(abandoned.generation);
      }
      const next = (await this.generations.highest()) + 1;
      if (!(await this.rebuilds.insertRunning(id, next, user.subject))) return null;
      await this.generations.createForBulkLoad(next);
      return next;
    });
    if (generation === null)
      throw Problem.conflict('REBUILD_ALREADY_RUNNING', 'Une reconstruction des vues est déjà en cours.');
    // In the background: whatever happens, it ends in the log, never as an unhandled rejection.
    this.current = this.run(id, generation).catch((error: Error) =>
      this.logger.error(`Rebuild ${id} could not be wound up: ${error.message}`),
    );
    return this.get(id);
  }

  /**
   * A rebuild under way stops at its next batch and is recorded as failed,
   * its generation dropped, before the database closes: the next request
   * starts a new one at once instead of waiting for its lease to run out.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.whenIdle();
  }

  /** Resolves when the rebuild started by this instance, if any, is over. */
  whenIdle(): Promise<void> {
    return this.current ?? Promise.resolve();
  }

  async get(id: string): Promise<RebuildView> {
    const row = await this.rebuilds.find(id);
    if (!row) throw Problem.notFound('REBUILD_NOT_FOUND', `Aucune reconstruction ${id}.`);
    return viewOf(row);
  }

  async list(): Promise<RebuildView[]> {
    return (await this.rebuilds.list()).map(viewOf);
  }

  private async run(id: string, generation: number): Promise<void> {
    const counts = { replayed: 0, invalid: 0 };
    let abandoned = false;
    const heartbeat = setInterval(() => {
      this.rebuilds.heartbeat(id).then(
        (alive) => (abandoned ||= !alive),
        (error: Error) => this.logger.warn(`Rebuild ${id}: heartbeat not recorded: ${error.message}`),
      );
    }, HEARTBEAT_INTERVAL_MS);
    /** Checked outside the retries below, which would take it for a faulty event. */
    const stopIfMust = () => {
      if (abandoned) throw new AbandonedRebuild(id);
      if (this.stopping) throw new Error(`Rebuild ${id} stopped: the service is shutting down`);
    };
    const together = (events: ReplayedEvent[]) => {
      stopIfMust();
      return this.tx.run(() =>
        this.projection.apply(
          generation,
          events.map(({ envelope, message }) => ({ envelope, position: message })),
        ),
      );
    };
    const alone = async (event: ReplayedEvent): Promise<boolean> => {
      for (let attempt = 1; ; attempt++) {
        try {
          await together([event]);
          return true;
        } catch (error) {
          if (error instanceof AbandonedRebuild || this.stopping) throw error;
          if (attempt < REPLAY_ATTEMPTS) continue;
          // The live consumer dead-lettered it for the same reason: the rebuilt state skips it likewise.
          this.logger.warn(
            `Rebuild ${id}: ${event.envelope.type} ${event.envelope.eventId} skipped: ${(error as Error).message}`,
          );
          counts.invalid++;
          return true;
        }
      }
    };
    // Many events per transaction, as the live consumer applies them: a batch the projection refuses is halved
    // until the faulty event is alone, which is tried again, then skipped.
    const applyBatch = async (events: ReplayedEvent[]): Promise<void> => {
      await applyInHalves(events, together, alone, async (size, error) => {
        if (error instanceof AbandonedRebuild || this.stopping) throw error;
        this.logger.debug(`Rebuild ${id}: a batch of ${size} event(s) is split: ${(error as Error).message}`);
      });
    };
    const replayRange = async (
      from: Map<TopicName, PartitionOffsets>,
      to: Map<TopicName, PartitionOffsets>,
    ): Promise<number> => {
      let handled = 0;
      for (const topic of REPLAY_ORDER) {
        const replaying = performance.now();
        const outcome = await this.replayer.replayBatches(
          topic,
          to.get(topic)!,
          applyBatch,
          from.get(topic),
          REPLAY_CONCURRENCY,
          REPLAY_BATCH_SIZE,
          REPLAY_QUEUE_DEPTH,
        );
        this.logger.debug(
          `Rebuild ${id}: ${outcome.handled} event(s) of ${topic} replayed in ${((performance.now() - replaying) / 1000).toFixed(2)} s`,
        );
        handled += outcome.handled;
        counts.replayed += outcome.handled;
        counts.invalid += outcome.invalid;
      }
      await this.rebuilds.progress(id, counts.replayed, counts.invalid);
      return handled;
    };
    const started = performance.now();
    const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(2);
    let switched = false;
    try {
      // Up to the log end captured at start, then again up to the new end while much was published meanwhile.
      let from = new Map<TopicName, PartitionOffsets>();
      for (let round = 0; round < MAX_CATCH_UP_ROUNDS; round++) {
        const to = await this.replayer.endOffsets(REPLAY_ORDER);
        const handled = await replayRange(from, to);
        from = to;
        if (handled < SMALL_GAP) break;
      }
      this.logger.log(`Rebuild ${id}: ${counts.replayed} event(s) replayed in ${seconds(started)} s`);
      const finishing = performance.now();
      await this.generations.finishBulkLoad(generation, REPLAY_CONCURRENCY);
      this.logger.log(
        `Rebuild ${id}: indexes and foreign keys of generation ${generation} built in ${seconds(finishing)} s`,
      );
      const switching = performance.now();
      // No live event is applied while the last stretch is replayed and the API switches generation.
      await this.generations.switchTo(generation, async () => {
        await replayRange(from, await this.replayer.endOffsets(REPLAY_ORDER));
        stopIfMust();
        // Renewed under the switch lock: nobody can take it for dead before the switch commits.
        if (!(await this.rebuilds.heartbeat(id))) throw new AbandonedRebuild(id);
      });
      switched = true;
      await this.rebuilds.finish(id, 'completed', counts.replayed, counts.invalid, null);
      this.logger.log(
        `Rebuild ${id}: generation ${generation} is active after replaying ${counts.replayed} event(s) in ${seconds(started)} s (last stretch and switch: ${seconds(switching)} s)`,
      );
      await this.dropGenerationsBefore(generation - 1);
    } catch (error) {
      const message = (error as Error).message;
      if (switched) {
        // The API reads this generation now: never drop it. Recording the end or dropping older generations failed;
        // the next rebuild request records it as completed (its lease runs out) and drops what is left.
        this.logger.error(
          `Rebuild ${id}: generation ${generation} is active, but the rebuild could not be wound up: ${message}`,
        );
        return;
      }
      this.logger.error(`Rebuild ${id} of generation ${generation} failed: ${message}`);
      await this.rebuilds.finish(id, 'failed', counts.replayed, counts.invalid, message);
      await this.generations.drop(generation);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** The generation just replaced is kept for reads and exports still running on it; older ones go. */
  private async dropGenerationsBefore(keepFrom: number): Promise<void> {
    for (const generation of await this.generations.existing())
      if (generation < keepFrom) await this.generations.drop(generation);
  }
}

function viewOf(row: RebuildRow): RebuildView {
  return {
    id: row.id,
    generation: row.generation,
    status: row.status,
    requestedBy: row.requested_by,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    replayedEvents: row.replayed_events,
    invalidEvents: row.invalid_events,
    error: row.error,
    heartbeatAt: row.heartbeat_at.toISOString(),
  };
}
