import type { Type } from '@nestjs/common';
import type { ServiceName } from '@app/contracts';

/** What makes one service: its feature module, its tables and its migrations. */
export interface ServiceDefinition {
  name: ServiceName;
  defaultPort: number;
  /** One paragraph for the OpenAPI document. */
  description: string;
  /** The OpenAPI tags of its routes, each with what it groups (the platform adds `operations`). */
  apiTags?: Record<string, string>;
  module: Type<unknown>;
  entities: Array<Type<unknown>>;
  /** In order; the messaging tables migration first. */
  migrations: Array<Type<unknown>>;
  /**
   * The service's own environment variables, as a class-validator class like
   * ServiceEnv; parsed and checked at start, injected with @Inject(SERVICE_SETTINGS).
   */
  settings?: new () => object;
}

export const SERVICE_SETTINGS = Symbol('SERVICE_SETTINGS');
