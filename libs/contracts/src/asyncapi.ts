import { getMetadataStorage } from 'class-validator';
// The storage is not re-exported by the package root (types: class-transformer-storage.d.ts).
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { stringify } from 'yaml';
import { CALENDAR_DATE_PATTERN } from '@app/validation';
import { EventEnvelope, EventHeaders } from './envelope';
import { allEventDefinitions } from './event-definition';
import { deadLetterTopicOf, Topics } from './topics';
import { SERVICE_NAMES } from './services';
import './events';

const REF_PREFIX = '#/components/schemas/';

/** class-validator-jsonschema does not know our own decorators: describe them here. */
const customConverters = {
  isSiret: { type: 'string', pattern: '^\\d{14}$', description: 'SIRET, Luhn checked' },
  isDepartementCode: { type: 'string', pattern: '^(0[1-9]|1\\d|[3-8]\\d|9[0-5]|2[1-9]|2A|2B|97[1-46])$' },
  isCalendarDate: {
    type: 'string',
    format: 'date',
    pattern: CALENDAR_DATE_PATTERN,
    description: 'A day that exists, YYYY-MM-DD',
  },
};

function schemas(): Record<string, object> {
  return validationMetadatasToSchemas({
    classValidatorMetadataStorage: getMetadataStorage(),
    // Nested values (arrays of funding lines, passes…) are typed through class-transformer's @Type.
    classTransformerMetadataStorage: defaultMetadataStorage,
    refPointerPrefix: REF_PREFIX,
    additionalConverters: Object.fromEntries(
      Object.entries(customConverters).map(([name, schema]) => [name, () => schema]),
    ) as NonNullable<Parameters<typeof validationMetadatasToSchemas>[0]>['additionalConverters'],
  }) as Record<string, object>;
}

/** Adds a schema and, transitively, every schema it references (nested value types). */
function includeWithReferences(name: string, all: Record<string, object>, used: Record<string, object>): void {
  if (used[name]) return;
  if (!all[name])
    throw new Error(`No JSON schema for ${name}: give it class-validator decorators (and @Type for nested values)`);
  used[name] = all[name];
  const references = JSON.stringify(all[name]).matchAll(/"\$ref":"#\/components\/schemas\/([A-Za-z0-9]+)"/g);
  for (const [, referenced] of references) includeWithReferences(referenced, all, used);
}

/**
 * The AsyncAPI 3.0 document of every topic and event, derived from the
 * contracts themselves; `npm run asyncapi` writes it and a test keeps the
 * committed file equal to this output.
 */
export function buildAsyncApiDocument(): object {
  const definitions = allEventDefinitions();
  const allSchemas = schemas();
  const usedSchemas: Record<string, object> = { EventEnvelope: allSchemas[EventEnvelope.name] };
  const messages: Record<string, object> = {};
  const channels: Record<string, object> = {};
  const operations: Record<string, object> = {};

  for (const topic of Object.values(Topics)) {
    const onTopic = definitions.filter((d) => d.topic === topic);
    const producer = onTopic[0]?.producer ?? topic.split('.')[1];
    channels[topic] = {
      address: topic,
      description: `Events produced by the ${producer} service, keyed by aggregate id, retained forever.`,
      messages: Object.fromEntries(
        onTopic.map((d) => [
          `${d.type}V${d.schemaVersion}`,
          { $ref: `#/components/messages/${d.type}V${d.schemaVersion}` },
        ]),
      ),
    };
    operations[`publish-${producer}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${topic.replace(/\//g, '~1')}` },
      messages: onTopic.map((d) => ({ $ref: `#/channels/${topic}/messages/${d.type}V${d.schemaVersion}` })),
    };
  }
  for (const consumer of SERVICE_NAMES) {
    const topic = deadLetterTopicOf(consumer);
    channels[topic] = {
      address: topic,
      description: `Messages the ${consumer} service could not process after bounded retries, with the original message and the error.`,
    };
  }
  for (const definition of definitions) {
    const payloadName = definition.payload.name;
    includeWithReferences(payloadName, allSchemas, usedSchemas);
    messages[`${definition.type}V${definition.schemaVersion}`] = {
      name: definition.type,
      title: `${definition.type} v${definition.schemaVersion}`,
      summary: definition.description,
      contentType: 'application/json',
      headers: {
        type: 'object',
        properties: Object.fromEntries(Object.values(EventHeaders).map((h) => [h, { type: 'string' }])),
      },
      correlationId: { location: '$message.header#/correlation-id' },
      payload: {
        allOf: [
          { $ref: `${REF_PREFIX}EventEnvelope` },
          {
            type: 'object',
            properties: {
              type: { const: definition.type },
              schemaVersion: { const: definition.schemaVersion },
              producer: { const: definition.producer },
              key: { type: 'string', description: `the payload's ${definition.keyField}` },
              payload: { $ref: `${REF_PREFIX}${payloadName}` },
            },
          },
        ],
      },
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Pass numérique events',
      version: '1.0.0',
      description:
        'Every message carries one envelope (eventId is the idempotency key). Pass codes never appear in clear: events carry their SHA-256 hash. Generated from libs/contracts: do not edit by hand, run `npm run asyncapi`.',
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages, schemas: usedSchemas },
  };
}

export function renderAsyncApiYaml(): string {
  return stringify(buildAsyncApiDocument(), { lineWidth: 0, sortMapEntries: false });
}
