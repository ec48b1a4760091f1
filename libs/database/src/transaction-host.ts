import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager, QueryFailedError, QueryRunner } from 'typeorm';

/**
 * A statement of a hot path (every request or every event runs it):
 * PostgreSQL parses and plans it once per connection, then only binds and
 * runs it, where an ordinary query is parsed and planned on every call.
 * Declare it once, as a module constant of its repository.
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

const preparedNames = new Map<string, string>();

export function preparedStatement(name: string, text: string): PreparedStatement {
  // A connection knows a statement by its name: one name for two texts would run the wrong one.
  if (preparedNames.has(name) && preparedNames.get(name) !== text)
    throw new Error(`Two prepared statements are named ${name}`);
  preparedNames.set(name, text);
  return { name, text };
}

interface PgClient {
  query(config: {
    name: string;
    text: string;
    values: unknown[];
  }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

interface TransactionScope {
  manager: EntityManager;
  afterCommit: Array<() => void>;
}

/**
 * Runs work in one database transaction that every repository joins
 * implicitly, so services group a state change and its outbox events without
 * ever touching TypeORM. Repositories ask `manager` for the current one.
 */
@Injectable()
export class TransactionHost {
  private readonly scope = new AsyncLocalStorage<TransactionScope>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Joins the surrounding transaction if there is one, else opens one. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.scope.getStore()) return work();
    const afterCommit: Array<() => void> = [];
    const result = await this.dataSource.transaction((manager) => this.scope.run({ manager, afterCommit }, work));
    for (const callback of afterCommit) callback();
    return result;
  }

  get manager(): EntityManager {
    return this.scope.getStore()?.manager ?? this.dataSource.manager;
  }

  /** For writes that are only correct inside a transaction (the outbox, the inbox). */
  requireTransaction(purpose: string): EntityManager {
    const scope = this.scope.getStore();
    if (!scope) {
      throw new Error(
        `${purpose} must run inside TransactionHost.run(): a write outside a transaction would be a dual write`,
      );
    }
    return scope.manager;
  }

  /**
   * Runs a prepared statement in the surrounding transaction, or alone on a
   * pooled connection. Fails like `manager.query` (QueryFailedError, with the
   * driver's error code).
   */
  async execute<T = Record<string, unknown>>(
    statement: PreparedStatement,
    params: unknown[],
  ): Promise<{ rows: T[]; rowCount: number }> {
    const joined = this.scope.getStore()?.manager.queryRunner;
    const runner: QueryRunner = joined ?? this.dataSource.createQueryRunner();
    try {
      const client: PgClient = await runner.connect();
      const result = await client.query({ name: statement.name, text: statement.text, values: params });
      return { rows: result.rows as T[], rowCount: result.rowCount ?? 0 };
    } catch (error) {
      throw error instanceof QueryFailedError ? error : new QueryFailedError(statement.text, params, error as Error);
    } finally {
      if (!joined) await runner.release();
    }
  }

  /** Runs a callback once the surrounding transaction has committed (never if it rolls back). */
  afterCommit(callback: () => void): void {
    const scope = this.scope.getStore();
    if (scope) scope.afterCommit.push(callback);
    else callback();
  }
}
