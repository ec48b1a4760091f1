import request from 'supertest';
import type { NormalizedProblem } from '@redocly/openapi-core';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { TestScope } from '@app/testing';
import type { Platform, ServiceKey } from './platform';
import { SERVICE_DEFINITIONS, startPlatform } from './platform';

/** One line per problem: severity, rule, where in the document, what is wrong. */
function describeProblem(problem: NormalizedProblem): string {
  const where = problem.location.map((location) => location.pointer ?? '').join(', ');
  return `${problem.severity} ${problem.ruleId} at ${where}: ${problem.message}`;
}

/** Each service's OpenAPI document, as /docs-json serves it, passes Redocly's `recommended` rules. */
describe('OpenAPI documents', () => {
  const scope = new TestScope('openapilint');
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform(scope, { SETTLEMENT_SCHEDULE_ENABLED: 'false', EXPIRY_JOB_ENABLED: 'false' });
  });
  afterAll(() => scope.close());

  it.each(Object.keys(SERVICE_DEFINITIONS) as ServiceKey[])(
    '%s: no error and no warning from the recommended rules',
    async (service) => {
      const document = (await request(platform[service].url).get('/docs-json').expect(200)).text;
      const absoluteRef = `${service}.json`;
      const config = await createConfig(
        // Beyond `recommended`: every tag an operation uses is declared, so that it has a description.
        { extends: ['recommended'], rules: { 'operation-tag-defined': 'error' } },
        // GET /health answers 200 or 503 and never a 4xx: there is none to document.
        { ignore: { [absoluteRef]: { 'operation-4xx-response': new Set(['#/paths/~1health/get/responses']) } } },
      );
      const problems = await lintFromString({ source: document, absoluteRef, config });
      expect(problems.filter((problem) => !problem.ignored).map(describeProblem)).toEqual([]);
    },
  );
});
