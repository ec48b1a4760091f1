import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TransactionHost } from '@app/database';

/** The schema holding one generation of the read models. */
export function schemaOf(generation: number): string {
  if (!Number.isSafeInteger(generation) || generation < 1) throw new Error(`Invalid read-model generation ${generation}`);
  return `reporting_g${generation}`;
}

/** Which generation of the read models the API reads and the live consumer writes, and the switch between them. */
@Injectable()
export class GenerationRepository {
  constructor(
    private readonly tx: TransactionHost,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async active(): Promise<number> {
    const [row] = await this.tx.manager.query(`SELECT active_generation FROM reporting_state`);
    return row.active_generation;
  }

  /**
   * For the live consumer, inside its transaction: the share lock makes a
   * switch wait for the events being applied, and events wait for the switch.
   */
  async activeForWrite(): Promise<number> {
    const [row] = await this.tx.requireTransaction('Applying an event').query(`SELECT active_generation FROM reporting_state FOR SHARE`);
    return row.active_generation;
  }

  async highest(): Promise<number> {
    const [row] = await this.tx.manager.query(
      `SELECT greatest((SELECT active_generation FROM reporting_state), (SELECT max(generation) FROM rebuilds)) AS n`,
    );
    return row.n;
  }

  async create(generation: number): Promise<void> {
    await this.tx.manager.query(`SELECT reporting_create_generation($1)`, [generation]);
  }

  /** A generation to be filled in bulk: its secondary indexes and foreign keys set aside (migration 1764000000000). */
  async createForBulkLoad(generation: number): Promise<void> {
    await this.create(generation);
    await this.tx.manager.query(`SELECT reporting_prepare_bulk_load($1)`, [generation]);
  }

  /** The indexes and foreign keys set aside, each built or checked once over all rows. */
  async finishBulkLoad(generation: number): Promise<void> {
    await this.tx.manager.query(`SELECT reporting_finish_bulk_load($1)`, [generation]);
  }

  async drop(generation: number): Promise<void> {
    await this.tx.manager.query(`DROP SCHEMA IF EXISTS ${schemaOf(generation)} CASCADE`);
    await this.tx.manager.query(`DELETE FROM reporting_deferred_ddl WHERE generation = $1`, [generation]);
  }

  /** Generations that exist as schemas, oldest first. */
  async existing(): Promise<number[]> {
    const rows: Array<{ n: number }> = await this.tx.manager.query(
      `SELECT substring(nspname FROM 12)::int AS n FROM pg_namespace WHERE nspname ~ '^reporting_g[0-9]+$' ORDER BY 1`,
    );
    return rows.map((r) => r.n);
  }

  /**
   * Holds the switch lock (no live event is applied meanwhile) while `catchUp`
   * brings the new generation to the log end, then makes it the active one.
   * Its own connection, outside any ambient transaction, so `catchUp` may use others.
   */
  async switchTo(generation: number, catchUp: () => Promise<void>): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`SELECT active_generation FROM reporting_state FOR UPDATE`);
      await catchUp();
      await runner.query(`UPDATE reporting_state SET active_generation = $1`, [generation]);
      await runner.commitTransaction();
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }
}
