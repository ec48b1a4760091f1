import { DynamicModule, Global, Module, Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
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
          useFactory: async () => {
            await ensureDatabaseExists(options.url);
            return {
              type: 'postgres' as const,
              url: options.url,
              entities: options.entities,
              migrations: options.migrations,
              migrationsRun: true,
              migrationsTransactionMode: 'each' as const,
              synchronize: false,
              extra: { max: options.poolSize ?? 10, application_name: 'pass-numerique' },
              // Retried at start so a service launched together with its database waits for it.
              retryAttempts: 10,
              retryDelay: 1000,
            };
          },
        }),
      ],
      providers: [TransactionHost],
      exports: [TransactionHost],
    };
  }
}
