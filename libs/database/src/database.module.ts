import { DynamicModule, Global, Module, Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { ensureDatabaseExists } from './database-url';
import { TransactionHost } from './transaction-host';

export interface DatabaseOptions {
  url: string;
  /** Entity classes and migration classes, as TypeORM takes them. */
  entities: Array<Type<unknown>>;
  migrations: Array<Type<unknown>>;
  poolSize?: number;
}

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => {
            return {
              type: 'postgres' as const,
              url: options.url,
              entities: options.entities,
              migrations: options.migrations,
              // Run below, one instance at a time.
              migrationsRun: false,
              migrationsTransactionMode: 'each' as const,
              synchronize: false,
              extra: { max: options.poolSize ?? 10, application_name: 'pass-numerique' },
              // Retried at start so a service launched together with its database waits for it.
              retryAttempts: 10,
              retryDelay: 1000,
            };
          },
          // Inside the retried factory: a service started while its database restarts waits for it.
          dataSourceFactory: async (dataSourceOptions?: DataSourceOptions) => {
            await ensureDatabaseExists(options.url);
            return migrateExclusively(await new DataSource(dataSourceOptions!).initialize());
          },
        }),
      ],
      providers: [TransactionHost],
      exports: [TransactionHost],
    };
  }
}

/** Any fixed number: the advisory lock that instances of one service take to migrate its database. */
const MIGRATION_LOCK = 720_201;

/**
 * Several instances of a service start together (a deployment with replicas):
 * TypeORM takes no lock, so two would apply the same migration at once and
 * one would fail. The first to take the lock migrates; the others wait, then find nothing to do.
 */
async function migrateExclusively(dataSource: DataSource): Promise<DataSource> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
  return dataSource;
}
