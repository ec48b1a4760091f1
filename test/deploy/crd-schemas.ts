import type { SchemaObject } from 'ajv';

/**
 * JSON schemas for the custom resources in deploy/k8s: Strimzi 0.45 `Kafka`, `KafkaNodePool`
 * and `KafkaTopic`, and CloudNativePG 1.2x `Cluster`.
 *
 * They are OUR OWN subset, written by hand from the operators' API reference
 * (strimzi.io/docs/operators/0.45.0 "Strimzi Custom Resource API Reference", cloudnative-pg.io
 * "API Reference"), not copies of the operators' CRDs. They describe exactly the fields our
 * manifests use, and every object is closed (additionalProperties: false): the API server
 * silently prunes an unknown field, so a misspelt one would be lost without a word; here it
 * fails the test. The price is deliberate: a field we start using in deploy/k8s must be added
 * here (with its type, and enum where the operator has one), checked against the reference of
 * the operator version we deploy, or manifests.spec.ts fails until it is.
 *
 * Free-form maps of the operators (labels, annotations, Kafka and topic `config`, PostgreSQL
 * `parameters`) are closed too where we set keys of our own choosing: a misspelt Kafka or
 * PostgreSQL setting is refused at runtime, long after `kubectl apply` succeeded.
 * "Required" marks what the operator requires and, where it defaults a value, what we want
 * stated explicitly (e.g. a topic's partitions and replicas).
 */

type Properties = Record<string, SchemaObject>;

/** A closed object: only the listed properties, `required` among them. */
const object = (properties: Properties, required: string[] = []): SchemaObject => ({
  type: 'object',
  additionalProperties: false,
  properties,
  ...(required.length > 0 ? { required } : {}),
});

/** A map with free keys (labels, annotations, matchLabels) and string values. */
const stringMap: SchemaObject = { type: 'object', additionalProperties: { type: 'string' } };

const string: SchemaObject = { type: 'string', minLength: 1 };
const boolean: SchemaObject = { type: 'boolean' };
const integer = (minimum: number, maximum?: number): SchemaObject => ({
  type: 'integer',
  minimum,
  ...(maximum === undefined ? {} : { maximum }),
});
const enumOf = (...values: string[]): SchemaObject => ({ type: 'string', enum: values });

/** A Kubernetes resource quantity ("500m", "1", "4Gi"), as a string or a plain integer. */
const quantity: SchemaObject = {
  anyOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', pattern: '^([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([KMGTPE]i|[numkMGTPE])?$' },
  ],
};

const resources = object({
  requests: object({ cpu: quantity, memory: quantity }),
  limits: object({ cpu: quantity, memory: quantity }),
});

/** The API server checks metadata itself; this is the part our manifests write. */
const metadataWith = (annotations: SchemaObject): SchemaObject =>
  object(
    {
      name: { type: 'string', maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' },
      labels: stringMap,
      annotations,
    },
    ['name'],
  );

const resource = (
  apiVersion: string,
  kind: string,
  spec: SchemaObject,
  metadata = metadataWith(stringMap),
): SchemaObject =>
  object({ apiVersion: { const: apiVersion }, kind: { const: kind }, metadata, spec }, [
    'apiVersion',
    'kind',
    'metadata',
    'spec',
  ]);

// --- Strimzi 0.45 (kafka.strimzi.io/v1beta2)

const strimziEnabled = enumOf('enabled', 'disabled');

const kafka = resource(
  'kafka.strimzi.io/v1beta2',
  'Kafka',
  object(
    {
      kafka: object(
        {
          version: { type: 'string', pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$' },
          metadataVersion: { type: 'string', pattern: '^[0-9]+\\.[0-9]+-IV[0-9]+$' },
          listeners: {
            type: 'array',
            minItems: 1,
            items: object(
              {
                // Strimzi: lower-case letters and digits, up to 11 characters.
                name: { type: 'string', pattern: '^[a-z0-9]{1,11}$' },
                port: integer(9092, 65535),
                type: enumOf('internal', 'route', 'loadbalancer', 'nodeport', 'ingress', 'cluster-ip'),
                tls: boolean,
                networkPolicyPeers: {
                  type: 'array',
                  items: object({ podSelector: object({ matchLabels: stringMap }, ['matchLabels']) }, ['podSelector']),
                },
              },
              ['name', 'port', 'type', 'tls'],
            ),
          },
          // Broker settings (Kafka names and types, not Strimzi fields).
          config: object({
            'auto.create.topics.enable': boolean,
            'default.replication.factor': integer(1),
            'min.insync.replicas': integer(1),
            'offsets.topic.replication.factor': integer(1),
            'transaction.state.log.replication.factor': integer(1),
            'transaction.state.log.min.isr': integer(1),
            'num.partitions': integer(1),
            'log.retention.ms': integer(-1),
          }),
        },
        ['listeners'],
      ),
      entityOperator: object({ topicOperator: object({}) }),
    },
    ['kafka'],
  ),
  // Strimzi 0.45 runs node pools and KRaft only when these annotations say so.
  metadataWith(
    object({ 'strimzi.io/node-pools': strimziEnabled, 'strimzi.io/kraft': strimziEnabled }, [
      'strimzi.io/node-pools',
      'strimzi.io/kraft',
    ]),
  ),
);

const kafkaNodePool = resource(
  'kafka.strimzi.io/v1beta2',
  'KafkaNodePool',
  object(
    {
      replicas: integer(0),
      roles: { type: 'array', minItems: 1, uniqueItems: true, items: enumOf('controller', 'broker') },
      storage: object(
        {
          type: enumOf('jbod', 'ephemeral', 'persistent-claim'),
          volumes: {
            type: 'array',
            minItems: 1,
            items: object(
              {
                id: integer(0),
                type: enumOf('ephemeral', 'persistent-claim'),
                size: { type: 'string', pattern: '^[0-9]+([KMGTPE]i)?$' },
                deleteClaim: boolean,
                kraftMetadata: enumOf('shared'),
              },
              ['id', 'type'],
            ),
          },
        },
        ['type'],
      ),
      resources,
    },
    ['replicas', 'roles', 'storage'],
  ),
);

const kafkaTopic = resource(
  'kafka.strimzi.io/v1beta2',
  'KafkaTopic',
  object(
    {
      partitions: integer(1),
      replicas: integer(1, 32767),
      // Topic settings (Kafka names and types).
      config: object(
        {
          'retention.ms': integer(-1),
          'cleanup.policy': enumOf('delete', 'compact', 'compact,delete', 'delete,compact'),
          'min.insync.replicas': integer(1),
        },
        ['retention.ms'],
      ),
    },
    ['partitions', 'replicas', 'config'],
  ),
);

// --- CloudNativePG 1.2x (postgresql.cnpg.io/v1)

const cluster = resource(
  'postgresql.cnpg.io/v1',
  'Cluster',
  object(
    {
      instances: integer(1),
      imageName: string,
      primaryUpdateStrategy: enumOf('unsupervised', 'supervised'),
      bootstrap: object({ initdb: object({ database: string, owner: string }, ['database', 'owner']) }, ['initdb']),
      // CNPG wants every PostgreSQL parameter as a string.
      postgresql: object({ parameters: object({ max_connections: { type: 'string', pattern: '^[0-9]+$' } }) }),
      storage: object({ size: { type: 'string', pattern: '^[0-9]+([KMGTPE]i)?$' } }, ['size']),
      resources,
    },
    ['instances', 'storage'],
  ),
);

/** Schemas by `<apiVersion>/<kind>`. */
export const CUSTOM_RESOURCE_SCHEMAS: Record<string, SchemaObject> = {
  'kafka.strimzi.io/v1beta2/Kafka': kafka,
  'kafka.strimzi.io/v1beta2/KafkaNodePool': kafkaNodePool,
  'kafka.strimzi.io/v1beta2/KafkaTopic': kafkaTopic,
  'postgresql.cnpg.io/v1/Cluster': cluster,
};
