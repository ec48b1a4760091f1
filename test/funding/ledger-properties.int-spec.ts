import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import type { BookletIssuedV1, EventEnvelope } from '@app/contracts';
import { fundingService } from '../../services/funding/src/funding.service-definition';
import { publishEnvelopes, TestScope } from '@app/testing';
import { bookletIssued, FundingDriver, passEvent } from './funding-fixtures';

type Action =
  | { kind: 'issue'; agency: number }
  | { kind: 'redeemed' | 'cancelled' | 'voided' | 'expired'; pass: number; site: number };

interface PassModel {
  booklet: BookletIssuedV1;
  index: number;
  state: 'outstanding' | 'redeemed' | 'voided' | 'expired';
  site?: string;
}

const sites = [randomUUID(), randomUUID()];

/**
 * Random sequences of grants, issues, redemptions, cancellations, voids and
 * expiries, delivered with duplicates and with redemption events overtaking
 * their booklet: per program and per funding line the accounts always sum to
 * the budget, no balance is negative, and the totals are those of a model.
 */
describe('ledger properties under random event sequences', () => {
  const scope = new TestScope('properties');
  let driver: FundingDriver;
  let prefix: string;
  let funders: string[];
  let agencies: string[];

  beforeAll(async () => {
    const funding = await scope.start(fundingService);
    driver = await FundingDriver.create(scope, funding);
    prefix = funding.env.KAFKA_TOPIC_PREFIX!;
    funders = [
      await driver.registerFunder('État', 'state'),
      await driver.registerFunder('Département', 'departement'),
      await driver.registerFunder('CAF', 'caf'),
    ];
    agencies = [await driver.knownAgency(), await driver.knownAgency()];
  });
  afterAll(() => scope.close());

  const shares = fc.oneof(
    fc.constant([10_000]),
    fc.constant([5000, 5000]),
    fc.constant([3334, 3333, 3333]),
    fc.constant([7001, 2999]),
  );
  const action: fc.Arbitrary<Action> = fc.oneof(
    fc.record({ kind: fc.constant('issue' as const), agency: fc.nat(1) }),
    fc.record({
      kind: fc.constantFrom('redeemed' as const, 'cancelled' as const, 'voided' as const, 'expired' as const),
      pass: fc.nat(60),
      site: fc.nat(1),
    }),
  );
  const scenario = fc.record({
    shares,
    faceValueCents: fc.constantFrom(1000, 750, 333),
    bookletSize: fc.constantFrom(5, 10),
    grants: fc.array(fc.record({ agency: fc.nat(1), booklets: fc.integer({ min: 1, max: 3 }) }), {
      minLength: 1,
      maxLength: 3,
    }),
    actions: fc.array(action, { minLength: 5, maxLength: 30 }),
    duplicates: fc.array(fc.nat(200), { maxLength: 6 }),
    overtakes: fc.array(fc.nat(200), { maxLength: 3 }),
  });

  it('conserves money per program and per funding line, to the cent', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const budgetCents = s.faceValueCents * s.bookletSize * 5 + 17; // an odd budget: not all of it is allocatable
        const program = await driver.openProgram(
          s.shares.map((shareBasisPoints, i) => ({ funderId: funders[i], shareBasisPoints })),
          { faceValueCents: s.faceValueCents, bookletSize: s.bookletSize, budgetCents },
        );
        const allocated = [0, 0];
        for (const grant of s.grants) {
          const response = await driver.allocate(
            program.id,
            agencies[grant.agency],
            grant.booklets * s.faceValueCents * s.bookletSize,
          );
          if (response.status === 201) allocated[grant.agency] += grant.booklets * s.faceValueCents * s.bookletSize;
          else expect(response.body.code).toBe('ALLOCATION_EXCEEDS_UNALLOCATED');
        }

        // Interpret the actions against a model, keeping only what the real services could emit.
        const available = [...allocated];
        const passes: PassModel[] = [];
        const events: Array<EventEnvelope<object>> = [];
        for (const a of s.actions) {
          if (a.kind === 'issue') {
            const total = s.faceValueCents * s.bookletSize;
            if (available[a.agency] < total) continue;
            available[a.agency] -= total;
            const issued = bookletIssued(program.id, agencies[a.agency], s.bookletSize, s.faceValueCents);
            events.push(issued);
            issued.payload.passes.forEach((_, index) =>
              passes.push({ booklet: issued.payload, index, state: 'outstanding' }),
            );
            continue;
          }
          const pass = passes[a.pass % Math.max(passes.length, 1)];
          if (!pass) continue;
          const from = {
            redeemed: 'outstanding',
            cancelled: 'redeemed',
            voided: 'outstanding',
            expired: 'outstanding',
          }[a.kind];
          if (pass.state !== from) continue;
          const site = a.kind === 'cancelled' ? pass.site! : sites[a.site];
          events.push(passEvent(a.kind, pass.booklet, pass.index, site));
          pass.state = a.kind === 'cancelled' ? 'outstanding' : a.kind;
          pass.site = a.kind === 'redeemed' ? site : undefined;
          if (a.kind === 'voided') available[agencies.indexOf(pass.booklet.agencyId)] += s.faceValueCents;
        }

        // Delivery as Kafka may do it: some redemption events before their booklet, some twice.
        const delivered = [...events];
        for (const n of s.overtakes) {
          const i = n % Math.max(delivered.length, 1);
          const event = delivered[i];
          if (!event || event.type === 'BookletIssued') continue;
          const bookletAt = delivered.findIndex((e) => e.type === 'BookletIssued' && e.key === event.key);
          if (bookletAt >= 0 && bookletAt < i) {
            // Moves the booklet after every event of its booklet on the other topic.
            const [booklet] = delivered.splice(bookletAt, 1);
            const lastOfBooklet = delivered.map((e) => e.key).lastIndexOf(booklet.key);
            delivered.splice(lastOfBooklet + 1, 0, booklet);
          }
        }
        for (const n of s.duplicates) if (delivered.length > 0) delivered.push(delivered[n % delivered.length]);

        await publishEnvelopes(prefix, delivered);
        await driver.consumed(events.map((e) => e.eventId));

        const sum = (state: PassModel['state'], site?: string) =>
          passes.filter((p) => p.state === state && (site === undefined || p.site === site)).length * s.faceValueCents;
        const totalAllocated = allocated[0] + allocated[1];
        const issuedCents = passes.length * s.faceValueCents;
        const balances = await driver.balances(program.id);
        expect(balances.totals).toEqual({
          funder_commitment: budgetCents,
          program_unallocated: budgetCents - totalAllocated,
          agency_allocated: totalAllocated - issuedCents + sum('voided'),
          passes_outstanding: sum('outstanding'),
          site_payable: sum('redeemed'),
          site_paid: 0,
          funder_released: sum('expired'),
        });
        for (const [i, site] of sites.entries()) {
          const payable = balances.accounts
            .filter((acc: { kind: string; ownerId: string }) => acc.kind === 'site_payable' && acc.ownerId === site)
            .reduce((total: number, acc: { balanceCents: number }) => total + acc.balanceCents, 0);
          expect([i, payable]).toEqual([i, sum('redeemed', site)]);
        }
        for (const line of balances.fundingLines as Array<{ balances: Record<string, number> }>) {
          const { funder_commitment: committed, ...held } = line.balances;
          expect(Object.values(held).reduce((a, b) => a + b, 0)).toBe(committed);
          expect(Object.values(line.balances).every((cents) => cents >= 0)).toBe(true);
        }
        expect(await driver.reconciliation()).toEqual([]);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 15) }, // PROPERTY_RUNS=200 for a deeper search
    );
  });
});
