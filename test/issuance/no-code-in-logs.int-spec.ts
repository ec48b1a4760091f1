import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { VoucherRedeemed } from '@app/contracts';
import type { ServiceProcess } from '@app/testing';
import { spawnService, TestScope, testToken, waitFor } from '@app/testing';
import { bearer, IssuanceWorld } from './issuance-fixture';

// Codes appear in two places only: the issuance answer and the PDF. This runs
// issuance as a real process with debug logs and reads everything it wrote.
describe('pass codes never reach the logs', () => {
  const scope = new TestScope('isslogs');
  let service: ServiceProcess;
  let output = '';

  beforeAll(async () => {
    service = await spawnService(scope, 'issuance', {
      LOG_LEVEL: 'debug',
      PASS_CODE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    });
    service.child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    service.child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  });
  afterAll(async () => {
    await service.terminate();
    await scope.close();
  });

  it('given a booklet issued, read, printed, partly redeemed and voided, then no code appears in any log line, in any form', async () => {
    const world = new IssuanceWorld(scope, { url: service.url, env: await scope.env('issuance') });
    const { agencyId, program, counselor } = await world.agencyWithAllocation(2);
    const issued = (await world.issue(counselor, program.programId).expect(201)).body as {
      id: string;
      passes: Array<{ id: string; code: string }>;
    };
    await request(service.url).get(`/booklets/${issued.id}`).set('Authorization', bearer(counselor)).expect(200);
    await request(service.url).get(`/booklets/${issued.id}/pdf`).set('Authorization', bearer(counselor)).expect(200);
    await request(service.url)
      .post(`/passes/${issued.passes[1].id}/void`)
      .set('Authorization', bearer(counselor))
      .send({ reason: 'lost' })
      .expect(201);
    await world.feed.deliver(VoucherRedeemed, {
      redemptionId: randomUUID(),
      passId: issued.passes[0].id,
      bookletId: issued.id,
      programId: program.programId,
      agencyId,
      siteId: randomUUID(),
      amountCents: 1000,
      redeemedAt: new Date().toISOString(),
      redeemedBy: 'site',
    });
    await request(service.url)
      .get('/booklets')
      .set('Authorization', bearer(await testToken({ role: 'operator' })))
      .expect(200);

    // The log lines of the requests above were written: the check below reads the right output.
    await waitFor(
      'the request logs',
      () => output.includes(`/booklets/${issued.id}/pdf`) && output.includes('Applied VoucherRedeemed'),
    );
    for (const { code } of issued.passes) {
      const canonical = code.replace(/-/g, '');
      expect(output).not.toContain(code);
      expect(output.toUpperCase()).not.toContain(canonical);
    }
  });

  it('given production without PASS_CODE_ENCRYPTION_KEY, then issuance refuses to start and names the variable', async () => {
    await expect(spawnService(scope, 'issuance', { NODE_ENV: 'production' })).rejects.toThrow(
      /PASS_CODE_ENCRYPTION_KEY/,
    );
  });
});
