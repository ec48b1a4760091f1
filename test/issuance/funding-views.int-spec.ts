import { randomUUID } from 'node:crypto';
import {
  AllocationGranted,
  AllocationReclaimRequested,
  FunderRegistered,
  ProgramClosed,
  ProgramOpened,
} from '@app/contracts';
import type { RunningService } from '@app/testing';
import { siretFor, TestScope, waitFor } from '@app/testing';
import { issuanceService } from '../../services/issuance/src/issuance.service-definition';
import { IssuanceWorld } from './issuance-fixture';

// Issuance's view of funding: programs, funders and allocation balances, built from funding's events.
describe('issuance consumes funding events', () => {
  const scope = new TestScope('issfunding');
  let issuance: RunningService;
  let world: IssuanceWorld;

  beforeAll(async () => {
    issuance = await scope.start(issuanceService, { CONSUMER_MAX_ATTEMPTS: '2' });
    world = new IssuanceWorld(scope, issuance);
  });
  afterAll(() => scope.close());

  const program = async (id: string) =>
    (
      await scope.sql(
        'issuance',
        `SELECT name, face_value_cents, booklet_size, valid_from::text, valid_until::text, tolerance_days, territory, funding_lines, status
         FROM programs WHERE id = $1`,
        [id],
      )
    )[0];

  it('given ProgramOpened delivered twice, then the program is stored once with its parameters, open', async () => {
    const opened = world.programPayload({
      bookletSize: 5,
      validFrom: '2026-01-01',
      validUntil: '2026-12-31',
      territory: ['2A', '973'],
    });
    const envelope = world.feed.envelope(ProgramOpened, opened);

    await world.feed.send(ProgramOpened, envelope);
    await world.feed.send(ProgramOpened, envelope);
    await world.feed.applied(envelope.eventId);

    expect(await program(opened.programId)).toEqual({
      name: opened.name,
      face_value_cents: 1000,
      booklet_size: 5,
      valid_from: '2026-01-01',
      valid_until: '2026-12-31',
      tolerance_days: 31,
      territory: ['2A', '973'],
      funding_lines: opened.fundingLines,
      status: 'open',
    });
    const rows = await scope.sql('issuance', 'SELECT 1 FROM programs WHERE id = $1', [opened.programId]);
    expect(rows).toHaveLength(1);
  });

  it('given an open program, when ProgramClosed arrives, then it is closed', async () => {
    const opened = await world.openProgram();

    await world.feed.deliver(ProgramClosed, {
      programId: opened.programId,
      reason: 'Fin du dispositif',
      closedBy: 'operator-test',
    });

    expect((await program(opened.programId)).status).toBe('closed');
  });

  it('given ProgramClosed for an unknown program, then it is dead-lettered with a clear error', async () => {
    const programId = randomUUID();

    const error = await world.feed.deliverPoison(ProgramClosed, { programId, reason: 'x', closedBy: 'operator-test' });

    expect(error).toBe(`ProgramClosed refers to unknown program ${programId}`);
  });

  it('given FunderRegistered, then the funder name is stored for printing', async () => {
    const funderId = randomUUID();

    await world.feed.deliver(FunderRegistered, {
      funderId,
      name: 'Conseil départemental de la Haute-Garonne',
      kind: 'departement',
      siret: siretFor(77),
    });

    expect(await scope.sql('issuance', 'SELECT name FROM funders WHERE id = $1', [funderId])).toEqual([
      { name: 'Conseil départemental de la Haute-Garonne' },
    ]);
  });

  it('given two grants and one grant delivered twice, then the balance is the sum of the distinct grants', async () => {
    const agencyId = await world.registerAgency();
    const opened = await world.openProgram();
    const grant = (amountCents: number) =>
      world.feed.envelope(AllocationGranted, {
        allocationId: randomUUID(),
        programId: opened.programId,
        agencyId,
        amountCents,
        grantedBy: 'op',
      });
    const first = grant(20_000);
    const second = grant(30_000);

    await world.feed.send(AllocationGranted, first);
    await world.feed.send(AllocationGranted, first);
    await world.feed.send(AllocationGranted, second);
    await world.feed.applied(first.eventId);
    await world.feed.applied(second.eventId);
    // The duplicate sits on the same partition, before the second grant: once the second is applied, it was seen.

    expect(await world.balance(agencyId, opened.programId)).toBe(50_000);
    const [row] = await scope.sql('issuance', 'SELECT granted_cents::int FROM allocations WHERE agency_id = $1', [
      agencyId,
    ]);
    expect(row).toEqual({ granted_cents: 50_000 });
  });

  it('given AllocationGranted for an unknown agency, then it is dead-lettered and no allocation exists', async () => {
    const opened = await world.openProgram();
    const agencyId = randomUUID();

    const error = await world.feed.deliverPoison(AllocationGranted, {
      allocationId: randomUUID(),
      programId: opened.programId,
      agencyId,
      amountCents: 10_000,
      grantedBy: 'op',
    });

    expect(error).toBe(`AllocationGranted refers to unknown agency ${agencyId}`);
    expect(await world.balance(agencyId, opened.programId)).toBeUndefined();
  });

  it('given AllocationGranted for an unknown program, then it is dead-lettered', async () => {
    const agencyId = await world.registerAgency();
    const programId = randomUUID();

    const error = await world.feed.deliverPoison(AllocationGranted, {
      allocationId: randomUUID(),
      programId,
      agencyId,
      amountCents: 10_000,
      grantedBy: 'op',
    });

    expect(error).toBe(`AllocationGranted refers to unknown program ${programId}`);
  });

  describe('reclaims', () => {
    const released = (reclaimId: string) =>
      waitFor('AllocationReleased in the outbox', async () => {
        const rows = await scope.sql<{ payload: { payload: object }; message_key: string }>(
          'issuance',
          `SELECT payload, message_key FROM outbox_messages WHERE event_type = 'AllocationReleased' AND payload->'payload'->>'reclaimId' = $1`,
          [reclaimId],
        );
        return rows.length > 0 && rows;
      });

    it('given 500 € unused, when 200 € are reclaimed, then 200 € are freed and AllocationReleased says so', async () => {
      const { agencyId, program } = await world.agencyWithAllocation(5);
      const reclaimId = randomUUID();

      await world.feed.deliver(AllocationReclaimRequested, {
        reclaimId,
        programId: program.programId,
        agencyId,
        requestedCents: 20_000,
        requestedBy: 'op',
      });

      expect(await world.balance(agencyId, program.programId)).toBe(30_000);
      const rows = await released(reclaimId);
      expect(rows).toEqual([
        {
          message_key: program.programId,
          payload: expect.objectContaining({
            payload: { reclaimId, programId: program.programId, agencyId, amountCents: 20_000 },
          }),
        },
      ]);
    });

    it('given 500 € unused, when 800 € are reclaimed, then only the 500 € unused are freed and the balance is 0', async () => {
      const { agencyId, program } = await world.agencyWithAllocation(5);
      const reclaimId = randomUUID();

      await world.feed.deliver(AllocationReclaimRequested, {
        reclaimId,
        programId: program.programId,
        agencyId,
        requestedCents: 80_000,
        requestedBy: 'op',
      });

      expect(await world.balance(agencyId, program.programId)).toBe(0);
      expect((await released(reclaimId))[0].payload.payload).toMatchObject({ amountCents: 50_000 });
      expect(
        await scope.sql(
          'issuance',
          'SELECT requested_cents::int, released_cents::int FROM allocation_reclaims WHERE reclaim_id = $1',
          [reclaimId],
        ),
      ).toEqual([{ requested_cents: 80_000, released_cents: 50_000 }]);
    });

    it('given a known agency without allocation on the program, when a reclaim arrives, then 0 is released', async () => {
      const agencyId = await world.registerAgency();
      const opened = await world.openProgram();
      const reclaimId = randomUUID();

      await world.feed.deliver(AllocationReclaimRequested, {
        reclaimId,
        programId: opened.programId,
        agencyId,
        requestedCents: 10_000,
        requestedBy: 'op',
      });

      expect((await released(reclaimId))[0].payload.payload).toMatchObject({ amountCents: 0 });
    });
  });

  it('given an allocation, when SQL tries to make its balance negative, then the CHECK constraint refuses', async () => {
    const { agencyId, program } = await world.agencyWithAllocation(1);

    await expect(
      scope.sql(
        'issuance',
        'UPDATE allocations SET balance_cents = balance_cents - 10001 WHERE agency_id = $1 AND program_id = $2',
        [agencyId, program.programId],
      ),
    ).rejects.toThrow(/allocations_balance_non_negative/);
  });
});
