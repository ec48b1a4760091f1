import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TransactionHost } from '@app/database';

/** The schema holding one generation of the read models. */
export function schemaOf(generation: number): string {
  if (!Number.isSafeInteger(generation) || generation < 1)
    throw new Error(`Invalid read-model generation ${generation}`);
  return `reporting_g${generation}`;
}

/** The tables a rebuild fills with many rows: analyzed before the switch, so that the first reads are planned well. */
const ANALYZED_TABLES = ['events', 'passes', 'booklets'];

/** Runs the tasks, `width` at a time. */
async function inParallel(tasks: Array<() => Promise<unknown>>, width: number): Promise<void> {
  const queue = [...tasks];
  const worker = async () => {
    for (let task = queue.shift(); task; task = queue.shift()) await task();
  };
  await Promise.all(Array.from({ length: Math.min(width, queue.length) }, worker));
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
    const [row] = await this.tx
      .requireTransaction('Applying an event')
      .query(`SELECT active_generation FROM reporting_state FOR SHARE`);
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

  /**
   * The indexes and foreign keys set aside, each built or checked once over
   * all rows, then the large tables analyzed for the planner. The index builds
   * run on `connections` connections at once (a build takes a share lock, which
   * other builds on the same table share), as do the analyses; the foreign keys
   * (each locks two tables) one after the other. Outside any transaction: if
   * one fails, the rebuild drops the whole generation.
   */
  async finishBulkLoad(generation: number, connections: number): Promise<void> {
    const deferred: Array<{ ddl: string }> = await this.dataSource.query(
      `SELECT ddl FROM reporting_deferred_ddl WHERE generation = $1 ORDER BY position`,
      [generation],
    );
    const isIndex = (ddl: string) => ddl.startsWith('CREATE INDEX ');
    await inParallel(
      deferred.filter((d) => isIndex(d.ddl)).map((d) => () => this.dataSource.query(d.ddl)),
      connections,
    );
    for (const { ddl } of deferred.filter((d) => !isIndex(d.ddl))) await this.dataSource.query(ddl);
    await inParallel(
      ANALYZED_TABLES.map((table) => () => this.dataSource.query(`ANALYZE ${schemaOf(generation)}.${table}`)),
      connections,
    );
    await this.dataSource.query(`DELETE FROM reporting_deferred_ddl WHERE generation = $1`, [generation]);
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
