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

  async progress(id: string, replayed: number, invalid: number): Promise<void> {
    await this.tx.manager.query(`UPDATE rebuilds SET replayed_events = $2, invalid_events = $3 WHERE id = $1`, [id, replayed, invalid]);
  }

  async finish(id: string, status: 'completed' | 'failed', replayed: number, invalid: number, error: string | null): Promise<void> {
    await this.tx.manager.query(
      `UPDATE rebuilds SET status = $2, replayed_events = $3, invalid_events = $4, error = $5, finished_at = now() WHERE id = $1`,
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
