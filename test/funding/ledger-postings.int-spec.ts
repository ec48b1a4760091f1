import { randomUUID } from 'node:crypto';
import { fundingService } from '../../services/funding/src/funding.service-definition';
import type { RunningService } from '@app/testing';
import { awaitingCauses, metricValue, publishEnvelopes, publishTogether, TestScope, waitFor } from '@app/testing';
import { bookletIssued, FundingDriver, passEvent } from './funding-fixtures';

describe('ledger postings driven by pass events', () => {
  const scope = new TestScope('postings');
  let driver: FundingDriver;
  let funding: RunningService;
  let prefix: string;
  let programId: string;
  let agencyId: string;
  const siteA = randomUUID();

  beforeAll(async () => {
    funding = await scope.start(fundingService, { CONSUMER_MAX_ATTEMPTS: '2' });
    driver = await FundingDriver.create(scope, funding);
    prefix = funding.env.KAFKA_TOPIC_PREFIX!;
    const state = await driver.registerFunder('État', 'state');
    const departement = await driver.registerFunder('Département', 'departement');
    const caf = await driver.registerFunder('CAF', 'caf');
    programId = (
      await driver.openProgram(
        [
          { funderId: state, shareBasisPoints: 3334 },
          { funderId: departement, shareBasisPoints: 3333 },
          { funderId: caf, shareBasisPoints: 3333 },
        ],
        { budgetCents: 100_000 },
      )
    ).id;
    agencyId = await driver.knownAgency();
    await driver.allocate(programId, agencyId, 30_000).expect(201);
  });
  afterAll(() => scope.close());

  it('posts a booklet, a redemption, a cancellation, a void and an expiry, each split the same way per pass', async () => {
    const issued = bookletIssued(programId, agencyId, 10);
    const booklet = issued.payload;
    const events = [
      issued,
      passEvent('redeemed', booklet, 0, siteA),
      passEvent('redeemed', booklet, 1, siteA),
      passEvent('cancelled', booklet, 1, siteA),
      passEvent('voided', booklet, 2, siteA),
      passEvent('expired', booklet, 3, siteA),
    ];
    await publishEnvelopes(prefix, events);
    await driver.consumed(events.map((e) => e.eventId));

    const balances = await driver.balances(programId);
    expect(balances.totals).toEqual({
      funder_commitment: 100_000,
      program_unallocated: 70_000,
      agency_allocated: 30_000 - 10_000 + 1000, // the voided pass went back to the agency
      passes_outstanding: 10_000 - 1000 - 1000 - 1000, // one redeemed, one voided, one expired (the cancelled one came back)
      site_payable: 1000,
      site_paid: 0,
      funder_released: 1000,
    });
    // 1000 cents of a pass split 334/333/333 at every step.
    expect(
      balances.fundingLines.map((l: { balances: { site_payable: number; funder_released: number } }) => [
        l.balances.site_payable,
        l.balances.funder_released,
      ]),
    ).toEqual([
      [334, 334],
      [333, 333],
      [333, 333],
    ]);
    const payable = balances.accounts.filter((a: { kind: string }) => a.kind === 'site_payable');
    expect(new Set(payable.map((a: { ownerId: string }) => a.ownerId))).toEqual(new Set([siteA]));
    expect(await driver.reconciliation()).toEqual([]);
  });

  it('applies consecutive pass events together, each from the state the one before left: redeemed, cancelled, redeemed again elsewhere', async () => {
    const siteB = randomUUID();
    const issued = bookletIssued(programId, agencyId, 5);
    await publishEnvelopes(prefix, [issued]);
    await driver.consumed([issued.eventId]);
    const before = (await driver.balances(programId)).totals;

    const booklet = issued.payload;
    const events = [
      passEvent('redeemed', booklet, 0, siteA),
      passEvent('redeemed', booklet, 1, siteA),
      passEvent('cancelled', booklet, 0, siteA),
      passEvent('redeemed', booklet, 0, siteB),
      passEvent('voided', booklet, 2, siteA),
      passEvent('expired', booklet, 3, siteA),
    ];
    const together = () =>
      Promise.all(
        ['VoucherRedeemed', 'RedemptionCancelled', 'VoucherVoided', 'VoucherExpired'].map((type) =>
          metricValue(driver.funding.url, 'events_applied_together_total', { type }),
        ),
      );
    const [redeemed, cancelled, voided, expired] = await together();
    await publishTogether(prefix, [...events, events[1]]);
    await driver.consumed(events.map((e) => e.eventId));

    // By the batch method, as one run.
    expect(await together()).toEqual([redeemed + 3, cancelled + 1, voided + 1, expired + 1]);
    const after = (await driver.balances(programId)).totals;
    expect({
      outstanding: after.passes_outstanding - before.passes_outstanding,
      payable: after.site_payable - before.site_payable,
      allocated: after.agency_allocated - before.agency_allocated,
      released: after.funder_released - before.funder_released,
    }).toEqual({ outstanding: -4000, payable: 2000, allocated: 1000, released: 1000 });
    const passes = await scope.sql<{ pass_id: string }>(
      'funding',
      'SELECT pass_id, state, site_id FROM ledger_passes WHERE booklet_id = $1',
      [booklet.bookletId],
    );
    const stateOf = (index: number) => passes.find((p) => p.pass_id === booklet.passes[index].passId);
    expect([0, 1, 2, 3, 4].map(stateOf)).toEqual([
      { pass_id: booklet.passes[0].passId, state: 'redeemed', site_id: siteB },
      { pass_id: booklet.passes[1].passId, state: 'redeemed', site_id: siteA },
      { pass_id: booklet.passes[2].passId, state: 'voided', site_id: null },
      { pass_id: booklet.passes[3].passId, state: 'expired', site_id: null },
      { pass_id: booklet.passes[4].passId, state: 'outstanding', site_id: null },
    ]);
    const items = await scope.sql(
      'funding',
      `SELECT pass_id, site_id, status FROM settlement_items WHERE pass_id = ANY($1) ORDER BY id`,
      [booklet.passes.map((p) => p.passId)],
    );
    expect(items).toEqual([
      { pass_id: booklet.passes[0].passId, site_id: siteA, status: 'cancelled' },
      { pass_id: booklet.passes[1].passId, site_id: siteA, status: 'pending' },
      { pass_id: booklet.passes[0].passId, site_id: siteB, status: 'pending' },
    ]);
    expect(await driver.reconciliation()).toEqual([]);
  });

  it('applies a redemption that overtook its booklet once the booklet arrives', async () => {
    const issued = bookletIssued(programId, agencyId, 5);
    const redeemed = passEvent('redeemed', issued.payload, 4, siteA);
    const before = (await driver.balances(programId)).totals.site_payable;
    await publishEnvelopes(prefix, [redeemed]);
    const awaits = `booklet ${issued.payload.bookletId}`;
    await waitFor('the redemption to wait for its booklet', async () =>
      (await awaitingCauses(funding.url)).some((entry) => entry.awaits === awaits),
    );
    expect((await driver.balances(programId)).totals.site_payable).toBe(before);

    await publishEnvelopes(prefix, [issued]);
    await driver.consumed([issued.eventId, redeemed.eventId]);
    expect((await driver.balances(programId)).totals.site_payable).toBe(before + 1000);
    expect(await awaitingCauses(funding.url)).toEqual([]);
    expect(await driver.reconciliation()).toEqual([]);
  });

  it('applies a duplicated event once', async () => {
    const issued = bookletIssued(programId, agencyId, 5);
    const redeemed = passEvent('redeemed', issued.payload, 0, siteA);
    const before = await driver.balances(programId);
    await publishEnvelopes(prefix, [issued, redeemed, redeemed, issued]);
    await driver.consumed([issued.eventId, redeemed.eventId]);
    const inbox = await scope.sql('funding', 'SELECT 1 FROM inbox_records WHERE event_id = ANY($1)', [
      [issued.eventId, redeemed.eventId],
    ]);
    expect(inbox).toHaveLength(2);
    const after = await driver.balances(programId);
    expect(after.totals.site_payable - before.totals.site_payable).toBe(1000);
    expect(after.totals.agency_allocated - before.totals.agency_allocated).toBe(-5000);
  });

  it('dead-letters, with the reason, an event of an unknown program or one that would overdraw an account, and changes nothing', async () => {
    const before = await driver.balances(programId);
    const unknownProgram = bookletIssued(randomUUID(), agencyId, 5);
    const tooBig = bookletIssued(programId, agencyId, 10, 100_000); // more than the agency was allocated
    await publishEnvelopes(prefix, [unknownProgram, tooBig]);
    await driver.consumed([unknownProgram.eventId, tooBig.eventId]);

    const letters = await scope.sql<{ event_id: string; error: string }>(
      'funding',
      'SELECT event_id, error FROM dead_letters ORDER BY id',
    );
    // Two booklets, two partitions: either may be dead-lettered first.
    expect(letters).toHaveLength(2);
    expect(letters).toEqual(
      expect.arrayContaining([
        { event_id: unknownProgram.eventId, error: `Unknown program ${unknownProgram.payload.programId}` },
        { event_id: tooBig.eventId, error: expect.stringContaining('would overdraw') },
      ]),
    );
    expect((await driver.balances(programId)).totals).toEqual(before.totals);
    // Booklets move money: lost, they break the ledger until an operator replays or discards them.
    expect(await driver.reconciliationReport()).toMatchObject({
      violations: [
        {
          invariant: 'every_event_applied',
          eventType: 'BookletIssued',
          deadLetters: 2,
          detail: expect.stringContaining('2 BookletIssued event(s) could not be applied'),
        },
      ],
      warnings: [],
    });
  });

  it('refuses in the database any edit of a posted transfer', async () => {
    await expect(scope.sql('funding', 'UPDATE ledger_transfers SET amount_cents = amount_cents + 1')).rejects.toThrow(
      'append-only',
    );
    await expect(scope.sql('funding', 'DELETE FROM ledger_transfers')).rejects.toThrow('append-only');
    await expect(
      scope.sql('funding', `UPDATE ledger_accounts SET debits_posted = credits_posted + 1 WHERE kind = 'site_payable'`),
    ).rejects.toThrow('balance_not_negative');
  });
});
