import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager } from 'typeorm';

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
      throw new Error(`${purpose} must run inside TransactionHost.run(): a write outside a transaction would be a dual write`);
    }
    return scope.manager;
  }

  /** Runs a callback once the surrounding transaction has committed (never if it rolls back). */
  afterCommit(callback: () => void): void {
    const scope = this.scope.getStore();
    if (scope) scope.afterCommit.push(callback);
    else callback();
  }
}
