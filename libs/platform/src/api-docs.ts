import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import { addProblemResponses, operationsOf, ProblemView } from './api-problems';
import type { ServiceDefinition } from './service-definition';

/** Tags of the routes every service has, beside the service's own `apiTags`. */
const PLATFORM_API_TAGS: Record<string, string> = {
  operations: 'Health of the service: database, Kafka, outbox backlog, dead letters and consumer lag',
};

/** Routes marked @Public (`x-public`) need no token: they say so instead of inheriting the bearer requirement. */
function openPublicRoutes(document: OpenAPIObject): void {
  for (const operation of operationsOf(document)) if (operation['x-public']) operation.security = [];
}

/**
 * The service's OpenAPI document, served at /docs (Swagger UI) and
 * /docs-json; test/e2e/openapi-lint.int-spec.ts holds it to Redocly's
 * recommended rules.
 */
export function setupApiDocs(app: INestApplication, definition: ServiceDefinition): void {
  const builder = new DocumentBuilder()
    .setTitle(`Pass numérique — ${definition.name}`)
    .setDescription(definition.description)
    .setVersion('1.0')
    .setLicense('EUPL-1.2', 'https://interoperable-europe.ec.europa.eu/collection/eupl/eupl-text-eupl-12')
    .addServer('/', `This ${definition.name} service`)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addSecurityRequirements('bearer');
  for (const [name, description] of Object.entries({ ...definition.apiTags, ...PLATFORM_API_TAGS }))
    builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build(), { extraModels: [ProblemView] });
  addProblemResponses(document);
  openPublicRoutes(document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
