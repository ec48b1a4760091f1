import request from 'supertest';
import type { RunningService } from '@app/testing';
import { TestScope } from '@app/testing';
import { issuanceService } from '../../services/issuance/src/issuance.service-definition';
import { IssuanceWorld } from '../issuance/issuance-fixture';

/** booklets_issued_total, documented in deploy/README.md, counts committed issuances only. */
describe('the booklets issued metric', () => {
  const scope = new TestScope('bkmetric');
  let issuance: RunningService;
  let world: IssuanceWorld;

  const issuedSoFar = async (): Promise<number> => {
    const { text } = await request(issuance.url).get('/metrics').expect(200);
    const line = text.split('\n').find((l) => l.startsWith('booklets_issued_total{'));
    if (!line) throw new Error('booklets_issued_total is not exposed on /metrics');
    return Number(line.split(' ').pop());
  };

  beforeAll(async () => {
    issuance = await scope.start(issuanceService);
    world = new IssuanceWorld(scope, issuance);
  });
  afterAll(() => scope.close());

  it('given an allocation worth one booklet, when two are issued, then the counter counts the one that committed', async () => {
    const { counselor, program } = await world.agencyWithAllocation(1);
    expect(await issuedSoFar()).toBe(0);

    await world.issue(counselor, program.programId).expect(201);
    expect(await issuedSoFar()).toBe(1);

    const refused = await world.issue(counselor, program.programId).expect(409);
    expect(refused.body.code).toBe('ALLOCATION_EXHAUSTED');
    expect(await issuedSoFar()).toBe(1);
  });
});
