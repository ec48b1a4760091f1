import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';

export interface RebuildRow {
  id: string;
  generation: number;
  status: 'running' | 'completed' | 'failed';
  requested_by: string;
  started_at: Date;
  finished_at: Date | null;
  replayed_events: number;
  invalid_events: number;
  error: string | null;
  heartbeat_at: Date;
}

@Injectable()
export class RebuildRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** False when a rebuild is already running (the partial unique index refuses a second one). */
  async insertRunning(id: string, generation: number, requestedBy: string): Promise<boolean> {
    const rows = await this.tx.manager.query(
      `INSERT INTO rebuilds (id, generation, status, requested_by) VALUES ($1, $2, 'running', $3) ON CONFLICT DO NOTHING RETURNING id`,
      [id, generation, requestedBy],
    );
    return rows.length === 1;
  }

  /** Renews a running rebuild's lease; false when it is no longer running (another instance gave it up for dead). */
  async heartbeat(id: string): Promise<boolean> {
    const rows = await this.tx.manager.query(
      `WITH renewed AS (UPDATE rebuilds SET heartbeat_at = now() WHERE id = $1 AND status = 'running' RETURNING id) SELECT * FROM renewed`,
      [id],
    );
    return rows.length === 1;
  }

  /**
   * Ends the running rebuilds whose lease ran out (their instance died) and
   * returns them: failed, unless their generation is the active one (the
   * instance died between the switch and recording it), then completed.
   */
  async endAbandoned(leaseSeconds: number): Promise<RebuildRow[]> {
    return this.tx.manager.query(
      `WITH abandoned AS (
         UPDATE rebuilds r SET
           status = CASE WHEN r.generation = s.active_generation THEN 'completed' ELSE 'failed' END,
           finished_at = now(),
           error = CASE WHEN r.generation = s.active_generation THEN NULL
                   ELSE 'abandoned: no heartbeat since ' || to_char(r.heartbeat_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ' (its instance stopped)' END
         FROM reporting_state s
         WHERE r.status = 'running' AND r.heartbeat_at < now() - make_interval(secs => $1)
         RETURNING r.*)
       SELECT * FROM abandoned`,
      [leaseSeconds],
    );
  }

  async progress(id: string, replayed: number, invalid: number): Promise<void> {
    await this.tx.manager.query(`UPDATE rebuilds SET replayed_events = $2, invalid_events = $3 WHERE id = $1`, [
      id,
      replayed,
      invalid,
    ]);
  }

  /** Only a running rebuild is finished: one given up for dead keeps that verdict. */
  async finish(
    id: string,
    status: 'completed' | 'failed',
    replayed: number,
    invalid: number,
    error: string | null,
  ): Promise<void> {
    await this.tx.manager.query(
      `UPDATE rebuilds SET status = $2, replayed_events = $3, invalid_events = $4, error = $5, finished_at = now() WHERE id = $1 AND status = 'running'`,
      [id, status, replayed, invalid, error],
    );
  }

  async find(id: string): Promise<RebuildRow | null> {
    const [row] = await this.tx.manager.query(`SELECT * FROM rebuilds WHERE id = $1`, [id]);
    return row ?? null;
  }

  list(): Promise<RebuildRow[]> {
    return this.tx.manager.query(`SELECT * FROM rebuilds ORDER BY started_at DESC LIMIT 50`);
  }
}
