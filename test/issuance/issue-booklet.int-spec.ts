import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { ProgramClosed } from '@app/contracts';
import { hashPassCode, parsePassCode } from '@app/pass-codes';
import type { RunningService } from '@app/testing';
import { readTopic, TestScope, testToken } from '@app/testing';
import { issuanceService } from '../../services/issuance/src/issuance.service-definition';
import { bearer, FRENCH, IssuanceWorld, parisDay } from './issuance-fixture';

const CODE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}-[0-9A-HJKMNP-TV-Z]$/;

describe('issuing a booklet', () => {
  const scope = new TestScope('issbooklet');
  let issuance: RunningService;
  let world: IssuanceWorld;

  beforeAll(async () => {
    issuance = await scope.start(issuanceService, { DATABASE_POOL_SIZE: '10' });
    world = new IssuanceWorld(scope, issuance);
  });
  afterAll(() => scope.close());

  describe('given an agency with 2 booklets’ worth on an open program of booklets of 10 passes of 10 €', () => {
    let agencyId: string;
    let programId: string;
    let counselor: string;
    let issued: {
      id: string;
      passes: Array<{ id: string; code: string; amountCents: number; position: number }>;
      beneficiary: { beneficiaryRef: string };
    };

    beforeAll(async () => {
      const setup = await world.agencyWithAllocation(2);
      ({ agencyId, counselor } = setup);
      programId = setup.program.programId;
      const response = await world
        .issue(counselor, programId, { ageBand: '45_59', situation: 'rsa_recipient', diagnosticLevel: 'no_autonomy' })
        .expect(201);
      issued = response.body;
    });

    it('then the answer holds the booklet with 10 passes of 10 € and their formatted codes, all different', () => {
      expect(issued).toMatchObject({
        programId,
        agencyId,
        totalCents: 10_000,
        beneficiary: { ageBand: '45_59', situation: 'rsa_recipient', diagnosticLevel: 'no_autonomy' },
      });
      expect(issued.beneficiary.beneficiaryRef).toMatch(/^BEN-[0-9A-HJKMNP-TV-Z]{10}$/);
      expect(issued.passes).toHaveLength(10);
      expect(issued.passes.map((p) => p.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      for (const pass of issued.passes) {
        expect(pass.amountCents).toBe(1000);
        expect(pass.code).toMatch(CODE);
        expect(parsePassCode(pass.code).valid).toBe(true);
      }
      expect(new Set(issued.passes.map((p) => p.code)).size).toBe(10);
    });

    it('then one booklet’s worth is taken from the allocation', async () => {
      expect(await world.balance(agencyId, programId)).toBe(10_000);
    });

    it('then the database holds each code only sealed, with the hash of its canonical form', async () => {
      const rows = await scope.sql<{ id: string; code_sealed: Buffer; code_hash: string; status: string }>(
        'issuance',
        'SELECT id, code_sealed, code_hash, status FROM passes WHERE booklet_id = $1 ORDER BY position',
        [issued.id],
      );
      expect(rows).toHaveLength(10);
      rows.forEach((row, i) => {
        const canonical = (parsePassCode(issued.passes[i].code) as { canonical: string }).canonical;
        expect(row.id).toBe(issued.passes[i].id);
        expect(row.code_hash).toBe(hashPassCode(canonical));
        expect(row.status).toBe('issued');
        expect(row.code_sealed.toString('latin1')).not.toContain(canonical);
        expect(row.code_sealed.length).toBe(12 + 16 + 17);
      });
    });

    it('then the database refuses a second pass with the same code hash', async () => {
      const [{ code_hash }] = await scope.sql<{ code_hash: string }>(
        'issuance',
        'SELECT code_hash FROM passes WHERE booklet_id = $1 LIMIT 1',
        [issued.id],
      );

      await expect(
        scope.sql(
          'issuance',
          `INSERT INTO passes (id, booklet_id, position, amount_cents, code_sealed, code_hash) VALUES ($1, $2, 11, 1000, '\\x00', $3)`,
          [randomUUID(), issued.id, code_hash],
        ),
      ).rejects.toThrow();
    });

    it('then BookletIssued is in the outbox with the passes’ ids, hashes and amounts, keyed by the booklet', async () => {
      const [event] = await scope.sql<{ message_key: string; payload: { payload: Record<string, unknown> } }>(
        'issuance',
        `SELECT message_key, payload FROM outbox_messages WHERE event_type = 'BookletIssued' AND message_key = $1`,
        [issued.id],
      );
      expect(event.message_key).toBe(issued.id);
      expect(event.payload.payload).toMatchObject({
        bookletId: issued.id,
        programId,
        agencyId,
        beneficiary: {
          beneficiaryRef: issued.beneficiary.beneficiaryRef,
          ageBand: '45_59',
          situation: 'rsa_recipient',
          diagnosticLevel: 'no_autonomy',
        },
        territory: ['31', '32'],
        toleranceDays: 31,
        totalCents: 10_000,
        passes: issued.passes.map((p) => ({
          passId: p.id,
          codeHash: hashPassCode((parsePassCode(p.code) as { canonical: string }).canonical),
          amountCents: 1000,
        })),
      });
    });

    it('then no code appears in any outbox payload nor in what was published on the issuance topic, in any form', async () => {
      const outbox = JSON.stringify(await scope.sql('issuance', 'SELECT payload, headers FROM outbox_messages'));
      const published = (
        await readTopic(`${issuance.env.KAFKA_TOPIC_PREFIX}pass.issuance.events`, (values) =>
          values.some((v) => v.includes(issued.id)),
        )
      ).join('\n');

      for (const { code } of issued.passes) {
        const canonical = code.replace(/-/g, '');
        for (const text of [outbox, published]) {
          expect(text).not.toContain(code);
          expect(text).not.toContain(canonical);
          expect(text.toLowerCase()).not.toContain(canonical.toLowerCase());
        }
      }
      expect(published).toContain(issued.id); // the check above read the right messages
    });

    it('then reading the booklet back shows the passes and their status but no code', async () => {
      const response = await request(issuance.url)
        .get(`/booklets/${issued.id}`)
        .set('Authorization', bearer(counselor))
        .expect(200);

      expect(response.body).toMatchObject({ id: issued.id, status: 'issued', passesIssued: 10 });
      expect(response.body.passes.map((p: { status: string }) => p.status)).toEqual(Array(10).fill('issued'));
      const text = JSON.stringify(response.body);
      for (const { code } of issued.passes) expect(text).not.toContain(code.replace(/-/g, '').slice(0, 8));
    });

    it('when the last booklet is issued and one more is asked, then 409 ALLOCATION_EXHAUSTED in French and the balance stays 0', async () => {
      await world.issue(counselor, programId).expect(201);

      const response = await world.issue(counselor, programId).expect(409);

      expect(response.body).toMatchObject({ statusCode: 409, code: 'ALLOCATION_EXHAUSTED' });
      expect(response.body.message).toMatch(FRENCH);
      expect(await world.balance(agencyId, programId)).toBe(0);
      expect(await scope.sql('issuance', 'SELECT 1 FROM booklets WHERE agency_id = $1', [agencyId])).toHaveLength(2);
    });
  });

  it('given 50 concurrent issuances against an allocation worth 10 booklets, then exactly 10 booklets, 40 ALLOCATION_EXHAUSTED and a balance of 0', async () => {
    const { agencyId, program, counselor } = await world.agencyWithAllocation(10);

    const responses = await Promise.all(Array.from({ length: 50 }, () => world.issue(counselor, program.programId)));

    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(responses.filter((r) => r.status === 409 && r.body.code === 'ALLOCATION_EXHAUSTED')).toHaveLength(40);
    expect(await world.balance(agencyId, program.programId)).toBe(0);
    const [{ count }] = await scope.sql<{ count: number }>(
      'issuance',
      'SELECT count(*)::int AS count FROM booklets WHERE agency_id = $1',
      [agencyId],
    );
    expect(count).toBe(10);
    const [{ events }] = await scope.sql<{ events: number }>(
      'issuance',
      `SELECT count(*)::int AS events FROM outbox_messages WHERE event_type = 'BookletIssued' AND payload->'payload'->>'agencyId' = $1`,
      [agencyId],
    );
    expect(events).toBe(10);
  });

  describe('refusals', () => {
    const expectRefusal = async (response: request.Response, status: number, code: string) => {
      expect(response.status).toBe(status);
      expect(response.body).toMatchObject({ statusCode: status, code });
      expect(response.body.message).toMatch(FRENCH);
    };

    it('given an unknown program, then 404 PROGRAM_NOT_FOUND', async () => {
      const { counselor } = await world.agencyWithAllocation(1);

      await expectRefusal(await world.issue(counselor, randomUUID()), 404, 'PROGRAM_NOT_FOUND');
    });

    it('given a closed program, then 422 PROGRAM_CLOSED and the allocation is untouched', async () => {
      const { agencyId, program, counselor } = await world.agencyWithAllocation(1);
      await world.feed.deliver(ProgramClosed, { programId: program.programId, reason: 'Fin', closedBy: 'op' });

      await expectRefusal(await world.issue(counselor, program.programId), 422, 'PROGRAM_CLOSED');
      expect(await world.balance(agencyId, program.programId)).toBe(10_000);
    });

    it('given a program valid from tomorrow (Paris), then 422 PROGRAM_NOT_YET_VALID', async () => {
      const { counselor, program } = await world.agencyWithAllocation(1, {
        validFrom: parisDay(1),
        validUntil: parisDay(90),
      });

      await expectRefusal(await world.issue(counselor, program.programId), 422, 'PROGRAM_NOT_YET_VALID');
    });

    it('given a program whose validity ended yesterday (Paris), then 422 PROGRAM_EXPIRED', async () => {
      const { counselor, program } = await world.agencyWithAllocation(1, {
        validFrom: parisDay(-90),
        validUntil: parisDay(-1),
      });

      await expectRefusal(await world.issue(counselor, program.programId), 422, 'PROGRAM_EXPIRED');
    });

    it('given a program valid until today (Paris), then the booklet is issued', async () => {
      const { counselor, program } = await world.agencyWithAllocation(1, {
        validFrom: parisDay(0),
        validUntil: parisDay(0),
      });

      await world.issue(counselor, program.programId).expect(201);
    });

    it('given an open program the agency has no allocation on, then 422 NO_ALLOCATION', async () => {
      const { counselor } = await world.agencyWithAllocation(1);
      const other = await world.openProgram();

      await expectRefusal(await world.issue(counselor, other.programId), 422, 'NO_ALLOCATION');
    });

    it('given a counselor token without agency, then the token itself is refused (401 AUTH_TOKEN_INVALID)', async () => {
      const { program } = await world.agencyWithAllocation(1);
      const orphan = await testToken({ role: 'counselor' });

      const response = await world.issue(orphan, program.programId).expect(401);

      expect(response.body.code).toBe('AUTH_TOKEN_INVALID');
    });

    it('given a counselor of an agency issuance does not know, then 404 AGENCY_NOT_FOUND', async () => {
      const { program } = await world.agencyWithAllocation(1);
      const stranger = await testToken({ role: 'counselor', org: randomUUID() });

      await expectRefusal(await world.issue(stranger, program.programId), 404, 'AGENCY_NOT_FOUND');
    });

    it.each([
      ['a name', { situation: 'job_seeker', diagnosticLevel: 'low_autonomy', name: 'Jeanne Dupont' }],
      ['a social security number', { situation: 'job_seeker', diagnosticLevel: 'low_autonomy', nir: '2850431555123' }],
      ['an unknown situation', { situation: 'millionaire', diagnosticLevel: 'low_autonomy' }],
      ['no diagnostic level', { situation: 'job_seeker' }],
    ])('given a beneficiary with %s, then 400 VALIDATION_FAILED and nothing is spent', async (_what, beneficiary) => {
      const { agencyId, program, counselor } = await world.agencyWithAllocation(1);

      const response = await world.issue(counselor, program.programId, beneficiary).expect(400);

      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(await world.balance(agencyId, program.programId)).toBe(10_000);
    });

    it('given an unknown top-level field, then 400 VALIDATION_FAILED', async () => {
      const { program, counselor } = await world.agencyWithAllocation(1);

      const response = await request(issuance.url)
        .post('/booklets')
        .set('Authorization', bearer(counselor))
        .send({
          programId: program.programId,
          beneficiary: { situation: 'job_seeker', diagnosticLevel: 'low_autonomy' },
          beneficiaryName: 'X',
        })
        .expect(400);

      expect(response.body.code).toBe('VALIDATION_FAILED');
    });

    it('given an operator token, then 403 AUTH_ROLE_FORBIDDEN: only counselors issue', async () => {
      const { program } = await world.agencyWithAllocation(1);
      const operator = await testToken({ role: 'operator' });

      const response = await world.issue(operator, program.programId).expect(403);

      expect(response.body.code).toBe('AUTH_ROLE_FORBIDDEN');
    });
  });
});
