import type { ServiceName } from './services';
import type { TopicName } from './topics';

export type PayloadClass<P extends object> = new () => P;

/** What a consumer and a producer agree on for one event type and version. */
export interface EventDefinition<P extends object = object> {
  readonly type: string;
  readonly schemaVersion: number;
  readonly producer: ServiceName;
  readonly topic: TopicName;
  readonly payload: PayloadClass<P>;
  /** One sentence for the AsyncAPI document. */
  readonly description: string;
  /** Which payload field is the aggregate id (the Kafka key). */
  readonly keyField: keyof P & string;
}

/** Any declared event, whatever its payload (for code that only routes by type). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEventDefinition = EventDefinition<any>;

const definitions = new Map<string, EventDefinition>();

function registryKey(type: string, schemaVersion: number): string {
  return `${type}@${schemaVersion}`;
}

/**
 * Declares an event. A breaking change is a new schemaVersion declared beside
 * the old one, never an edit of a published definition.
 */
export function defineEvent<P extends object>(definition: EventDefinition<P>): EventDefinition<P> {
  const key = registryKey(definition.type, definition.schemaVersion);
  const existing = definitions.get(key);
  if (existing && existing !== (definition as unknown as EventDefinition)) {
    throw new Error(`Event ${key} is declared twice`);
  }
  definitions.set(key, definition as unknown as EventDefinition);
  return definition;
}

export function findEventDefinition(type: string, schemaVersion: number): EventDefinition | undefined {
  return definitions.get(registryKey(type, schemaVersion));
}

export function allEventDefinitions(): EventDefinition[] {
  return [...definitions.values()].sort((a, b) =>
    a.topic === b.topic
      ? registryKey(a.type, a.schemaVersion).localeCompare(registryKey(b.type, b.schemaVersion))
      : a.topic.localeCompare(b.topic),
  );
}
