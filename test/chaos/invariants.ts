// The invariants of issue 21, checked once the soak's load has stopped and the pipelines drained: what the clients
// were told (every 2xx) against the four services' databases, read only, and against the API views that compute
// figures of their own (funding's reconciliation, the settlement runs and their SEPA files).
//
// Every query is scoped to the programs, agencies, sites and booklets of the acknowledgements: the soak's databases
// hold nothing else, but in development other data shares them.
import { Client } from 'pg';
import { hashPassCode, parsePassCode } from '../../libs/pass-codes/src';
import { MOVEMENTS } from '../../services/funding/src/ledger/account-kinds';
import { SERVICES, sleep } from './cluster';
import type {
  AcknowledgedRedemption,
  Acknowledgements,
  DatabaseUrls,
  Endpoints,
  InvariantResult,
  ServiceName,
} from './model';

/** Examples of violations kept per invariant: enough to start looking, not a dump. */
const EXAMPLES = 5;
/**
 * An item's creation time is its transaction's start: one that started shortly before a run may have committed
 * after the run read the pending items. (In the soak the last run comes after the drain, so nothing is that close.)
 */
const RUN_RACE_MS = 5_000;
/** Consecutive drain readings this far apart must agree before the pipelines count as drained. */
const DRAIN_READ_INTERVAL_MS = 1000;

// Query rows as pg returns them: each query's columns are read right below it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of hand-written SQL, typed where they are read
type Row = Record<string, any>;

const n = (value: unknown) => Number(value ?? 0);
const fmt = (value: number) => value.toLocaleString('en-US');
const euros = (cents: number) =>
  `${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} €`;
const short = (id: string | null | undefined) => (id ? id.slice(0, 8) : String(id));
const lower = (ids: Iterable<string>) => [...new Set([...ids].map((id) => id.toLowerCase()))];

/** Violations of one invariant: all counted, the first few kept as examples. */
class Violations {
  count = 0;
  readonly examples: string[] = [];

  add(message: string): void {
    this.count += 1;
    if (this.examples.length < EXAMPLES) this.examples.push(message);
  }
}

function outcome(name: string, figure: string, found: Violations): InvariantResult {
  if (found.count === 0) return { name, ok: true, figure };
  return { name, ok: false, figure: `${figure}; ${fmt(found.count)} violation(s)`, violations: found.examples };
}

function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

// ---------------------------------------------------------------------------------------------------------------
// Read-only access to the four databases and the operator's API views

/** One read-only, repeatable-read transaction per database: each check sees one state of each service. */
class Snapshot {
  /** A connection runs one query at a time: concurrent reads of one database wait for each other here. */
  private readonly queues = new Map<ServiceName, Promise<unknown>>();

  private constructor(private readonly clients: Map<ServiceName, Client>) {}

  static async open(urls: DatabaseUrls): Promise<Snapshot> {
    const snapshot = new Snapshot(new Map());
    try {
      for (const service of SERVICES) {
        const client = readOnlyClient(urls[service]);
        snapshot.clients.set(service, client);
        await client.connect();
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      }
    } catch (error) {
      await snapshot.close();
      throw error;
    }
    return snapshot;
  }

  rows<T extends Row = Row>(service: ServiceName, sql: string, params: unknown[] = []): Promise<T[]> {
    const client = this.clients.get(service)!;
    const result = (this.queues.get(service) ?? Promise.resolve())
      .catch(() => undefined)
      .then(async () => (await client.query(sql, params)).rows as T[]);
    this.queues.set(service, result);
    return result;
  }

  async close(): Promise<void> {
    for (const client of this.clients.values()) {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end().catch(() => undefined);
    }
  }
}

/** The session refuses any write: the checks must never change what they check. */
function readOnlyClient(url: string): Client {
  return new Client({
    connectionString: url,
    application_name: 'chaos-invariants',
    options: '-c default_transaction_read_only=on',
  });
}

/** GET on the first instance that answers at all (one may be down): the status and the body as text. */
async function operatorGet(bases: string[], token: string, path: string): Promise<{ status: number; body: string }> {
  let lastError: unknown;
  for (const base of bases) {
    try {
      const response = await fetch(`${base}${path}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(30_000),
      });
      if (response.status >= 500) throw new Error(`${path} → ${response.status}`);
      return { status: response.status, body: await response.text() };
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`No instance of ${bases.join(', ')} answered GET ${path}: ${(lastError as Error)?.message}`);
}

// ---------------------------------------------------------------------------------------------------------------
// What the invariants share: the scope of the acknowledgements and the facts read once

interface PassRow {
  id: string;
  bookletId: string;
  programId: string;
  agencyId: string;
  amountCents: number;
  status: string;
}

interface RedemptionRow {
  id: string;
  siteId: string;
  totalCents: number;
  redeemedAt: Date;
  cancelledAt: Date | null;
  lines: Array<{ passId: string; amountCents: number; cancelledAt: Date | null }>;
}

interface OutboxEvent {
  eventId: string;
  type: string;
  payload: Row;
}

interface Movement {
  kind: string;
  movements: number;
  cents: number;
  creditOwner: string | null;
  debitOwner: string | null;
}

interface SettlementItemRow {
  id: string;
  kind: 'redemption' | 'adjustment';
  redemptionId: string;
  passId: string;
  siteId: string;
  programId: string;
  amountCents: number;
  status: 'pending' | 'settled' | 'cancelled' | 'reversed';
  statementId: string | null;
  reversesItemId: string | null;
  redeemedAt: Date;
  createdAt: Date;
}

const PASS_EVENT_TYPES = [
  'VoucherRedeemed',
  'RedemptionCancelled',
  'VoucherVoided',
  'VoucherVoidRejected',
  'VoucherExpired',
];
const CANCELLATION_MOVEMENTS = ['redemption_cancelled', 'settled_redemption_cancelled'];

/** Reads shared by several invariants, each done once, lazily. */
class Facts {
  readonly programIds: string[];
  readonly agencyIds: string[];
  readonly siteIds: string[];
  readonly bookletIds: string[];
  /** Distinct acknowledged redemptions by id (a retry answered with the first answer is acknowledged twice). */
  readonly redemptions = new Map<string, AcknowledgedRedemption>();
  readonly cancelled: Set<string>;
  readonly uncertainCancelled: Set<string>;
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(
    readonly db: Snapshot,
    readonly ack: Acknowledgements,
    readonly endpoints: Endpoints,
    readonly operatorToken: string,
  ) {
    this.programIds = lower([
      ...ack.programs.map((p) => p.id),
      ...ack.allocations.map((a) => a.programId),
      ...ack.booklets.map((b) => b.programId),
      ...ack.redemptions.map((r) => r.programId),
    ]);
    this.agencyIds = lower([
      ...ack.agencies,
      ...ack.allocations.map((a) => a.agencyId),
      ...ack.booklets.map((b) => b.agencyId),
    ]);
    this.siteIds = lower([...ack.sites, ...ack.redemptions.map((r) => r.siteId)]);
    this.bookletIds = lower(ack.booklets.map((b) => b.bookletId));
    for (const redemption of ack.redemptions) {
      const id = redemption.redemptionId.toLowerCase();
      if (!this.redemptions.has(id)) this.redemptions.set(id, redemption);
    }
    this.cancelled = new Set(lower(ack.cancelledRedemptions));
    this.uncertainCancelled = new Set(lower(ack.uncertainCancellations ?? []));
  }

  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.memo.has(key)) this.memo.set(key, load());
    return this.memo.get(key) as Promise<T>;
  }

  /** Redemption's passes of the programs: the reference for every pass's state. */
  passes(): Promise<Map<string, PassRow>> {
    return this.once('passes', async () => {
      const rows = await this.db.rows(
        'redemption',
        `SELECT id, booklet_id, program_id, agency_id, amount_cents, status, code_hash FROM passes WHERE program_id = ANY($1::uuid[])`,
        [this.programIds],
      );
      return new Map(
        rows.map((r) => [
          r.id,
          {
            id: r.id,
            bookletId: r.booklet_id,
            programId: r.program_id,
            agencyId: r.agency_id,
            amountCents: n(r.amount_cents),
            status: r.status,
          },
        ]),
      );
    });
  }

  /** Pass id by code hash, to find the passes an acknowledged redemption's codes name. */
  passIdsByHash(): Promise<Map<string, string>> {
    return this.once('hashes', async () => {
      const hashes = new Set<string>();
      for (const redemption of this.redemptions.values())
        for (const code of redemption.codes) {
          const hash = hashOf(code);
          if (hash) hashes.add(hash);
        }
      for (const uncertain of this.ack.uncertainRedemptions ?? [])
        for (const code of uncertain.codes) {
          const hash = hashOf(code);
          if (hash) hashes.add(hash);
        }
      const rows = await this.db.rows('redemption', `SELECT id, code_hash FROM passes WHERE code_hash = ANY($1)`, [
        [...hashes],
      ]);
      return new Map(rows.map((r) => [r.code_hash as string, r.id as string]));
    });
  }

  /** Redemption's records of the sites: every redemption and its lines. */
  redemptionRows(): Promise<Map<string, RedemptionRow>> {
    return this.once('redemptions', async () => {
      const redemptions = await this.db.rows(
        'redemption',
        `SELECT id, site_id, total_cents, redeemed_at, cancelled_at FROM redemptions WHERE site_id = ANY($1::uuid[])`,
        [this.siteIds],
      );
      const lines = await this.db.rows(
        'redemption',
        `SELECT l.redemption_id, l.pass_id, l.amount_cents, l.cancelled_at
           FROM redemption_lines l JOIN redemptions r ON r.id = l.redemption_id WHERE r.site_id = ANY($1::uuid[])`,
        [this.siteIds],
      );
      const linesOf = groupBy(lines, (l) => l.redemption_id);
      return new Map(
        redemptions.map((r) => [
          r.id,
          {
            id: r.id,
            siteId: r.site_id,
            totalCents: n(r.total_cents),
            redeemedAt: r.redeemed_at,
            cancelledAt: r.cancelled_at,
            lines: (linesOf.get(r.id) ?? []).map((l) => ({
              passId: l.pass_id,
              amountCents: n(l.amount_cents),
              cancelledAt: l.cancelled_at,
            })),
          },
        ]),
      );
    });
  }

  /** Events a service wrote to its outbox about the programs (or, for settlement events, the sites). */
  outboxEvents(service: ServiceName, types: string[], field: 'programId' | 'siteId' = 'programId') {
    return this.once(`outbox:${service}:${types.join(',')}:${field}`, async () => {
      const rows = await this.db.rows(
        service,
        `SELECT event_id, event_type, payload->'payload' AS p FROM outbox_messages
          WHERE event_type = ANY($1) AND lower(payload->'payload'->>'${field}') = ANY($2)`,
        [types, field === 'programId' ? this.programIds : this.siteIds],
      );
      return rows.map((r): OutboxEvent => ({ eventId: r.event_id, type: r.event_type, payload: r.p }));
    });
  }

  /** Redemption's pass events of the programs, by redemption id. */
  async passEventsByRedemption(): Promise<Map<string, OutboxEvent[]>> {
    const events = await this.outboxEvents('redemption', PASS_EVENT_TYPES);
    return groupBy(
      events.filter((e) => e.payload.redemptionId),
      (e) => String(e.payload.redemptionId).toLowerCase(),
    );
  }

  /** Funding's ledger movements of the programs, by the event that caused them. */
  movementsByEvent(): Promise<Map<string, Movement[]>> {
    return this.once('movements', async () => {
      const rows = await this.db.rows(
        'funding',
        `SELECT t.source_event_id, t.kind, count(DISTINCT t.movement_id)::int AS movements, sum(t.amount_cents)::bigint AS cents,
                min(c.owner_id::text) AS credit_owner, min(d.owner_id::text) AS debit_owner
           FROM ledger_transfers t
           JOIN ledger_accounts c ON c.id = t.credit_account_id
           JOIN ledger_accounts d ON d.id = t.debit_account_id
          WHERE t.program_id = ANY($1::uuid[]) AND t.source_event_id IS NOT NULL
          GROUP BY t.source_event_id, t.kind`,
        [this.programIds],
      );
      const byEvent = new Map<string, Movement[]>();
      for (const r of rows) {
        const movement = {
          kind: r.kind,
          movements: n(r.movements),
          cents: n(r.cents),
          creditOwner: r.credit_owner,
          debitOwner: r.debit_owner,
        };
        byEvent.set(r.source_event_id, [...(byEvent.get(r.source_event_id) ?? []), movement]);
      }
      return byEvent;
    });
  }

  settlementItems(): Promise<SettlementItemRow[]> {
    return this.once('items', async () => {
      const rows = await this.db.rows(
        'funding',
        `SELECT id, kind, redemption_id, pass_id, site_id, program_id, amount_cents, status, statement_id, reverses_item_id,
                redeemed_at, created_at
           FROM settlement_items WHERE program_id = ANY($1::uuid[])`,
        [this.programIds],
      );
      return rows.map((r) => ({
        id: String(r.id),
        kind: r.kind,
        redemptionId: r.redemption_id,
        passId: r.pass_id,
        siteId: r.site_id,
        programId: r.program_id,
        amountCents: n(r.amount_cents),
        status: r.status,
        statementId: r.statement_id,
        reversesItemId: r.reverses_item_id === null ? null : String(r.reverses_item_id),
        redeemedAt: r.redeemed_at,
        createdAt: r.created_at,
      }));
    });
  }

  /** The schema of reporting's active generation of read models. */
  reportingSchema(): Promise<string> {
    return this.once('schema', async () => {
      const [state] = await this.db.rows('reporting', `SELECT active_generation FROM reporting_state`);
      return `reporting_g${n(state.active_generation)}`;
    });
  }

  /** Reporting's audit trail of the programs: event id → type. */
  reportingEvents(): Promise<Map<string, string>> {
    return this.once('reporting-events', async () => {
      const schema = await this.reportingSchema();
      const rows = await this.db.rows(
        'reporting',
        `SELECT event_id, type FROM ${schema}.events WHERE program_id = ANY($1::uuid[]) OR org_id = ANY($2::uuid[])`,
        [this.programIds, this.siteIds],
      );
      return new Map(rows.map((r) => [r.event_id as string, r.type as string]));
    });
  }

  reportingPasses(): Promise<Map<string, { status: string; siteId: string | null; amountCents: number }>> {
    return this.once('reporting-passes', async () => {
      const schema = await this.reportingSchema();
      const rows = await this.db.rows(
        'reporting',
        `SELECT pass_id, status, site_id, amount_cents FROM ${schema}.passes WHERE program_id = ANY($1::uuid[])`,
        [this.programIds],
      );
      return new Map(
        rows.map((r) => [r.pass_id, { status: r.status, siteId: r.site_id, amountCents: n(r.amount_cents) }]),
      );
    });
  }
}

function hashOf(code: string): string | null {
  const parsed = parsePassCode(code);
  return parsed.valid ? hashPassCode(parsed.canonical) : null;
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Every acknowledged redemption exists exactly once in redemption, the ledger and reporting

async function acknowledgedRedemptionsEverywhere(facts: Facts): Promise<InvariantResult> {
  const found = new Violations();
  const [records, hashes, passes, eventsByRedemption, movements, items, reportingEvents, reportingPasses] =
    await Promise.all([
      facts.redemptionRows(),
      facts.passIdsByHash(),
      facts.passes(),
      facts.passEventsByRedemption(),
      facts.movementsByEvent(),
      facts.settlementItems(),
      facts.reportingEvents(),
      facts.reportingPasses(),
    ]);
  const itemsByRedemption = groupBy(
    items.filter((i) => i.kind === 'redemption'),
    (i) => i.redemptionId,
  );
  const requests = await facts.db.rows(
    'redemption',
    `SELECT site_id, idempotency_key, redemption_id FROM redemption_requests WHERE site_id = ANY($1::uuid[])`,
    [facts.siteIds],
  );
  const redemptionOfKey = new Map(requests.map((r) => [`${r.site_id}/${r.idempotency_key}`, r.redemption_id]));
  const inconsistentAcks = [...groupBy(facts.ack.redemptions, (r) => r.redemptionId.toLowerCase()).values()].filter(
    (acks) => new Set(acks.map((a) => `${a.siteId}/${a.amountCents}/[${[...a.codes].sort().join(',')}]`)).size > 1,
  );
  for (const acks of inconsistentAcks)
    found.add(
      `redemption ${short(acks[0].redemptionId)} was acknowledged ${acks.length} times with different contents`,
    );

  let passCount = 0;
  let cents = 0;
  let cancelledCount = 0;
  for (const [id, ack] of facts.redemptions) {
    const where = `redemption ${short(id)} (site ${short(ack.siteId)}, ${euros(ack.amountCents)})`;
    const record = records.get(id);
    if (!record) {
      found.add(`${where}: acknowledged, absent from redemption's records`);
      continue;
    }
    passCount += record.lines.length;
    cents += ack.amountCents;
    const keyRedemption = redemptionOfKey.get(`${ack.siteId.toLowerCase()}/${ack.idempotencyKey}`);
    if (keyRedemption !== id)
      found.add(`${where}: its idempotency key leads to redemption ${short(keyRedemption)} in redemption's records`);
    if (record.siteId !== ack.siteId.toLowerCase()) found.add(`${where}: recorded at site ${short(record.siteId)}`);
    if (record.totalCents !== ack.amountCents) found.add(`${where}: recorded for ${euros(record.totalCents)}`);
    checkLinesMatchCodes(ack, record, hashes, passes, where, found);

    const isCancelled = record.cancelledAt !== null;
    if (isCancelled) cancelledCount += 1;
    if (facts.cancelled.has(id) && !isCancelled) found.add(`${where}: cancellation acknowledged, still live`);
    if (isCancelled && !facts.cancelled.has(id) && !facts.uncertainCancelled.has(id))
      found.add(
        `${where}: cancelled in redemption's records, though no cancellation was acknowledged or left unanswered`,
      );

    const events = eventsByRedemption.get(id) ?? [];
    checkLedgerAndReporting(record, events, movements, reportingEvents, where, found);
    checkSettlementItems(record, itemsByRedemption.get(id) ?? [], where, found);
    if (!isCancelled)
      for (const line of record.lines) {
        const seen = reportingPasses.get(line.passId);
        if (seen?.status !== 'redeemed' || seen.siteId !== record.siteId)
          found.add(
            `${where}: reporting shows pass ${short(line.passId)} ${seen ? `${seen.status} at site ${short(seen.siteId)}` : 'unknown'}`,
          );
      }
  }
  const phantoms = unexplainedRedemptions(facts, records, requests);
  for (const phantom of phantoms) found.add(phantom);
  const fromUncertain = [...records.keys()].filter((id) => !facts.redemptions.has(id)).length - phantoms.length;

  return outcome(
    'acknowledged redemptions exist once everywhere',
    `${fmt(facts.redemptions.size)} acknowledged redemptions (${fmt(passCount)} passes, ${euros(cents)}; ` +
      `${fmt(cancelledCount)} cancelled, ${fmt(facts.cancelled.size)} cancellations acknowledged), each once in redemption, ` +
      `the ledger, settlement and reporting with its amount and site; ${fmt(fromUncertain)} more redemptions from requests left unanswered`,
    found,
  );
}

function checkLinesMatchCodes(
  ack: AcknowledgedRedemption,
  record: RedemptionRow,
  hashes: Map<string, string>,
  passes: Map<string, PassRow>,
  where: string,
  found: Violations,
): void {
  const expected = ack.codes.map((code) => {
    const hash = hashOf(code);
    return hash ? hashes.get(hash) : undefined;
  });
  if (expected.some((passId) => passId === undefined)) {
    found.add(`${where}: a code it acknowledged is no known pass`);
    return;
  }
  const recorded = record.lines.map((l) => l.passId).sort();
  if (JSON.stringify([...expected].sort()) !== JSON.stringify(recorded))
    found.add(`${where}: its lines redeem ${recorded.length} passes, not the ${ack.codes.length} acknowledged`);
  const linesCents = record.lines.reduce((sum, l) => sum + l.amountCents, 0);
  if (linesCents !== ack.amountCents) found.add(`${where}: its lines sum to ${euros(linesCents)}`);
  for (const line of record.lines) {
    const pass = passes.get(line.passId);
    if (pass?.programId !== ack.programId.toLowerCase())
      found.add(`${where}: pass ${short(line.passId)} belongs to program ${short(pass?.programId)}`);
    if (pass && pass.amountCents !== line.amountCents)
      found.add(
        `${where}: pass ${short(line.passId)} is worth ${euros(pass.amountCents)}, the line ${euros(line.amountCents)}`,
      );
    if ((line.cancelledAt === null) !== (record.cancelledAt === null))
      found.add(`${where}: line of pass ${short(line.passId)} disagrees with its redemption on the cancellation`);
  }
}

/** One VoucherRedeemed per line, each posted once to the site's payable and in reporting; a cancellation likewise. */
function checkLedgerAndReporting(
  record: RedemptionRow,
  events: OutboxEvent[],
  movements: Map<string, Movement[]>,
  reportingEvents: Map<string, string>,
  where: string,
  found: Violations,
): void {
  const expectations: Array<{ type: string; kinds: string[]; owner: 'credit' | 'debit' }> = [
    { type: 'VoucherRedeemed', kinds: ['voucher_redeemed'], owner: 'credit' },
  ];
  if (record.cancelledAt)
    expectations.push({ type: 'RedemptionCancelled', kinds: CANCELLATION_MOVEMENTS, owner: 'debit' });
  for (const { type, kinds, owner } of expectations) {
    const ofType = events.filter((e) => e.type === type);
    const passIds = ofType.map((e) => String(e.payload.passId).toLowerCase()).sort();
    if (JSON.stringify(passIds) !== JSON.stringify(record.lines.map((l) => l.passId).sort())) {
      found.add(`${where}: ${ofType.length} ${type} events in redemption's outbox for ${record.lines.length} passes`);
      continue;
    }
    for (const event of ofType) {
      const amount = n(event.payload.amountCents);
      const posted = (movements.get(event.eventId) ?? []).filter((m) => kinds.includes(m.kind));
      const total = posted.reduce((sum, m) => sum + m.movements, 0);
      if (total !== 1) found.add(`${where}: ${type} of pass ${short(event.payload.passId)} posted ${total} times`);
      else if (posted[0].cents !== amount)
        found.add(`${where}: ${type} of pass ${short(event.payload.passId)} posted ${euros(posted[0].cents)}`);
      else if ((owner === 'credit' ? posted[0].creditOwner : posted[0].debitOwner) !== record.siteId)
        found.add(`${where}: ${type} of pass ${short(event.payload.passId)} posted to another site's account`);
      if (reportingEvents.get(event.eventId) !== type)
        found.add(`${where}: ${type} of pass ${short(event.payload.passId)} missing from reporting's audit trail`);
    }
  }
}

/** Settlement owes the site one item per pass of a live redemption, and nothing for a cancelled one. */
function checkSettlementItems(record: RedemptionRow, items: SettlementItemRow[], where: string, found: Violations) {
  const byPass = groupBy(items, (i) => i.passId);
  for (const line of record.lines) {
    const lineItems = byPass.get(line.passId) ?? [];
    if (lineItems.length !== 1) {
      found.add(`${where}: ${lineItems.length} settlement items for pass ${short(line.passId)}`);
      continue;
    }
    const [item] = lineItems;
    if (item.amountCents !== line.amountCents || item.siteId !== record.siteId)
      found.add(
        `${where}: settlement item of pass ${short(line.passId)} owes ${euros(item.amountCents)} to ${short(item.siteId)}`,
      );
    const live = item.status === 'pending' || item.status === 'settled';
    if (live !== (record.cancelledAt === null))
      found.add(`${where}: settlement item of pass ${short(line.passId)} is ${item.status}`);
  }
}

/** Redemptions of the sites nobody was told about: neither acknowledged nor from a request left unanswered. */
function unexplainedRedemptions(facts: Facts, records: Map<string, RedemptionRow>, requests: Row[]): string[] {
  const uncertainKeys = new Set(
    (facts.ack.uncertainRedemptions ?? []).map((u) => `${u.siteId.toLowerCase()}/${u.idempotencyKey}`),
  );
  const keysOf = groupBy(requests, (r) => r.redemption_id ?? '');
  const unexplained: string[] = [];
  for (const [id, record] of records) {
    if (facts.redemptions.has(id)) continue;
    const keys = (keysOf.get(id) ?? []).map((r) => `${r.site_id}/${r.idempotency_key}`);
    if (!keys.some((key) => uncertainKeys.has(key)))
      unexplained.push(
        `redemption ${short(id)} (site ${short(record.siteId)}, ${euros(record.totalCents)}) exists though its request ` +
          `was neither acknowledged nor left unanswered (key ${keys.map((k) => k.split('/')[1]).join(', ') || 'none'})`,
      );
  }
  return unexplained;
}

// ---------------------------------------------------------------------------------------------------------------
// 2. No pass redeemed twice, nor both redeemed and voided or expired

async function noPassRedeemedTwice(facts: Facts): Promise<InvariantResult> {
  const found = new Violations();
  const [passes, records, hashes] = await Promise.all([facts.passes(), facts.redemptionRows(), facts.passIdsByHash()]);
  const twice = await facts.db.rows(
    'redemption',
    `SELECT l.pass_id, count(*)::int AS live FROM redemption_lines l JOIN passes p ON p.id = l.pass_id
      WHERE p.program_id = ANY($1::uuid[]) AND l.cancelled_at IS NULL GROUP BY l.pass_id HAVING count(*) > 1`,
    [facts.programIds],
  );
  for (const row of twice) found.add(`pass ${short(row.pass_id)} has ${row.live} live redemption lines`);

  // Redemption's own state: a pass is redeemed exactly when a live line holds it.
  const liveLine = new Map<string, RedemptionRow>();
  for (const record of records.values())
    for (const line of record.lines) if (line.cancelledAt === null) liveLine.set(line.passId, record);
  for (const pass of passes.values()) {
    const holder = liveLine.get(pass.id);
    if ((pass.status === 'redeemed') !== (holder !== undefined))
      found.add(
        `pass ${short(pass.id)} is ${pass.status} in redemption${holder ? ` with a live line of redemption ${short(holder.id)}` : ' without a live line'}`,
      );
  }

  // Across acknowledgements: a pass in two acknowledged redemptions needs the earlier one cancelled before the later.
  let contested = 0;
  const acksByPass = new Map<string, AcknowledgedRedemption[]>();
  for (const ack of facts.redemptions.values())
    for (const code of ack.codes) {
      const passId = hashes.get(hashOf(code) ?? '');
      if (passId) acksByPass.set(passId, [...(acksByPass.get(passId) ?? []), ack]);
    }
  for (const [passId, acks] of acksByPass) {
    if (acks.length < 2) continue;
    contested += 1;
    const ordered = acks
      .map((ack) => ({ ack, record: records.get(ack.redemptionId.toLowerCase()) }))
      .sort((a, b) => (a.record?.redeemedAt.getTime() ?? 0) - (b.record?.redeemedAt.getTime() ?? 0));
    for (let i = 0; i + 1 < ordered.length; i++) {
      const earlier = ordered[i].record;
      const later = ordered[i + 1].record;
      if (!earlier || !later) continue; // reported by the first invariant
      if (!earlier.cancelledAt || earlier.cancelledAt.getTime() > later.redeemedAt.getTime())
        found.add(
          `pass ${short(passId)} acknowledged in redemptions ${short(earlier.id)} and ${short(later.id)}, the earlier not cancelled before the later`,
        );
    }
  }

  const disagreements = await statusDisagreements(facts, passes);
  for (const message of disagreements.examples) found.add(message);
  found.count += disagreements.count - disagreements.examples.length;
  const voids = await voidRequestsDecided(facts, passes, found);
  const expiry = await expiryRunsAccounted(facts, found);

  const byStatus = countBy([...passes.values()], (p) => p.status);
  return outcome(
    'no pass redeemed twice',
    `${fmt(passes.size)} passes (${fmt(byStatus.get('redeemed') ?? 0)} redeemed, ${fmt(byStatus.get('voided') ?? 0)} voided, ` +
      `${fmt(byStatus.get('expired') ?? 0)} expired): none with two live redemptions, the same state in redemption, funding, ` +
      `issuance and reporting; ${fmt(contested)} passes in several acknowledged redemptions, each earlier one cancelled first; ` +
      `${voids}; ${expiry}`,
    found,
  );
}

function countBy<T>(items: T[], keyOf: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) ?? 0) + 1);
  return counts;
}

/** Funding, issuance and reporting hold every pass in the state redemption (its only writer) decided. */
async function statusDisagreements(facts: Facts, passes: Map<string, PassRow>): Promise<Violations> {
  const found = new Violations();
  const schema = await facts.reportingSchema();
  const views: Array<[string, Row[]]> = [
    [
      'funding',
      await facts.db.rows(
        'funding',
        `SELECT pass_id AS id, CASE state WHEN 'outstanding' THEN 'issued' ELSE state END AS status FROM ledger_passes WHERE program_id = ANY($1::uuid[])`,
        [facts.programIds],
      ),
    ],
    [
      'issuance',
      await facts.db.rows(
        'issuance',
        `SELECT p.id, p.status FROM passes p JOIN booklets b ON b.id = p.booklet_id WHERE b.program_id = ANY($1::uuid[])`,
        [facts.programIds],
      ),
    ],
    [
      'reporting',
      await facts.db.rows(
        'reporting',
        `SELECT pass_id AS id, status FROM ${schema}.passes WHERE program_id = ANY($1::uuid[])`,
        [facts.programIds],
      ),
    ],
  ];
  for (const [service, rows] of views) {
    const seen = new Map(rows.map((r) => [r.id as string, r.status as string]));
    for (const pass of passes.values()) {
      const status = seen.get(pass.id);
      if (status !== pass.status)
        found.add(`pass ${short(pass.id)} is ${pass.status} in redemption, ${status ?? 'unknown'} in ${service}`);
    }
    for (const id of seen.keys())
      if (!passes.has(id)) found.add(`pass ${short(id)} is in ${service}, not in redemption`);
  }
  return found;
}

/** Each acknowledged void request was decided: accepted (the pass voided) or rejected (it was not). */
async function voidRequestsDecided(facts: Facts, passes: Map<string, PassRow>, found: Violations): Promise<string> {
  const passIds = lower(facts.ack.voidRequests);
  if (passIds.length === 0) return 'no void request acknowledged';
  const requests = await facts.db.rows(
    'issuance',
    `SELECT pass_id, status, rejection_reason FROM void_requests WHERE pass_id = ANY($1::uuid[])`,
    [passIds],
  );
  const byPass = groupBy(requests, (r) => r.pass_id);
  let accepted = 0;
  let rejected = 0;
  for (const passId of passIds) {
    const decided = byPass.get(passId) ?? [];
    if (decided.length === 0) found.add(`void request of pass ${short(passId)} acknowledged, absent from issuance`);
    for (const request of decided) {
      if (request.status === 'pending')
        found.add(`void request of pass ${short(passId)} still pending after the drain`);
      if (request.status === 'accepted') accepted += 1;
      if (request.status === 'rejected') rejected += 1;
    }
    const status = passes.get(passId)?.status;
    if (decided.some((r) => r.status === 'accepted') && status !== 'voided')
      found.add(`void of pass ${short(passId)} accepted, the pass is ${status}`);
    if (status === 'voided' && !decided.some((r) => r.status === 'accepted'))
      found.add(`pass ${short(passId)} voided without an accepted request`);
  }
  return `${fmt(passIds.length)} void requests acknowledged: ${fmt(accepted)} accepted, ${fmt(rejected)} rejected, none pending`;
}

/** What the acknowledged expiry runs expired is no more than the passes redemption holds expired. */
async function expiryRunsAccounted(facts: Facts, found: Violations): Promise<string> {
  const told = facts.ack.expiryRuns.reduce((sum, run) => sum + run.expired, 0);
  if (facts.ack.expiryRuns.length === 0) return 'no expiry run acknowledged';
  const [{ expired }] = await facts.db.rows(
    'redemption',
    `SELECT count(*)::int AS expired FROM passes WHERE status = 'expired'`,
  );
  if (told > expired) found.add(`expiry runs answered ${fmt(told)} passes expired, redemption holds ${fmt(expired)}`);
  return `${fmt(facts.ack.expiryRuns.length)} expiry runs acknowledged, ${fmt(told)} passes expired by them`;
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Conservation: per program and per funding line the ledger sums to the budget, no balance negative

interface AccountRow {
  id: string;
  programId: string;
  lineId: string;
  kind: string;
  ownerId: string | null;
  debits: number;
  credits: number;
}

const balanceOf = (kind: string, debits: number, credits: number) =>
  kind === 'funder_commitment' ? debits - credits : credits - debits;

async function ledgerConservation(facts: Facts): Promise<InvariantResult> {
  const found = new Violations();
  const programs = await facts.db.rows('funding', `SELECT id, budget_cents FROM programs WHERE id = ANY($1::uuid[])`, [
    facts.programIds,
  ]);
  const budgets = new Map(programs.map((p) => [p.id as string, n(p.budget_cents)]));
  for (const id of facts.programIds)
    if (!budgets.has(id)) found.add(`program ${short(id)} acknowledged, unknown to funding`);
  for (const program of facts.ack.programs) {
    const budget = budgets.get(program.id.toLowerCase());
    if (budget !== undefined && budget < program.budgetCents)
      found.add(
        `program ${short(program.id)}: budget ${euros(budget)}, below the ${euros(program.budgetCents)} acknowledged`,
      );
  }
  const accounts = (
    await facts.db.rows(
      'funding',
      `SELECT id, program_id, funding_line_id, kind, owner_id, debits_posted, credits_posted FROM ledger_accounts WHERE program_id = ANY($1::uuid[])`,
      [facts.programIds],
    )
  ).map((r): AccountRow => ({
    id: String(r.id),
    programId: r.program_id,
    lineId: r.funding_line_id,
    kind: r.kind,
    ownerId: r.owner_id,
    debits: n(r.debits_posted),
    credits: n(r.credits_posted),
  }));
  const lines = await facts.db.rows(
    'funding',
    `SELECT id, program_id FROM funding_lines WHERE program_id = ANY($1::uuid[])`,
    [facts.programIds],
  );
  checkConservation('accounts', accounts, budgets, lines, found);

  // Independently: each account's totals recomputed from the transfers alone, which must also respect the movements.
  const fromTransfers = await accountsFromTransfers(facts, accounts, found);
  checkConservation('transfers', fromTransfers, budgets, lines, found);
  for (const account of accounts) {
    const recomputed = fromTransfers.find((a) => a.id === account.id)!;
    if (recomputed.debits !== account.debits || recomputed.credits !== account.credits)
      found.add(`account ${account.id} (${account.kind}) posted totals differ from its transfers`);
  }
  const reconciliation = await reconciliationFindings(facts, found);

  const budget = [...budgets.values()].reduce((sum, cents) => sum + cents, 0);
  return outcome(
    'ledger conservation',
    `${fmt(budgets.size)} programs (${euros(budget)} of budget), ${fmt(lines.length)} funding lines, ${fmt(accounts.length)} accounts: ` +
      `every line's accounts sum to its commitment and every program's to its budget, from the accounts and again from the ` +
      `transfers; no negative balance; ${reconciliation}`,
    found,
  );
}

function checkConservation(
  source: string,
  accounts: AccountRow[],
  budgets: Map<string, number>,
  lines: Row[],
  found: Violations,
): void {
  const byLine = groupBy(accounts, (a) => a.lineId);
  const committedByProgram = new Map<string, number>();
  for (const line of lines) {
    const lineAccounts = byLine.get(line.id) ?? [];
    const committed = sum(
      lineAccounts.filter((a) => a.kind === 'funder_commitment'),
      (a) => balanceOf(a.kind, a.debits, a.credits),
    );
    const held = sum(
      lineAccounts.filter((a) => a.kind !== 'funder_commitment'),
      (a) => balanceOf(a.kind, a.debits, a.credits),
    );
    if (held !== committed)
      found.add(`${source}: funding line ${short(line.id)} holds ${euros(held)} for ${euros(committed)} committed`);
    committedByProgram.set(line.program_id, (committedByProgram.get(line.program_id) ?? 0) + committed);
  }
  for (const [programId, budget] of budgets) {
    const committed = committedByProgram.get(programId) ?? 0;
    if (committed !== budget)
      found.add(`${source}: program ${short(programId)} commits ${euros(committed)} for a budget of ${euros(budget)}`);
  }
  for (const account of accounts) {
    const balance = balanceOf(account.kind, account.debits, account.credits);
    if (balance < 0)
      found.add(
        `${source}: ${account.kind} account ${account.id} (owner ${short(account.ownerId)}) at ${euros(balance)}`,
      );
  }
}

function sum<T>(items: T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}

/** Account totals from the transfers; each transfer must stay in its line and move between the kinds its movement says. */
async function accountsFromTransfers(facts: Facts, accounts: AccountRow[], found: Violations): Promise<AccountRow[]> {
  const totals = await facts.db.rows(
    'funding',
    `SELECT account_id AS id, sum(debit)::bigint AS debits, sum(credit)::bigint AS credits FROM (
       SELECT debit_account_id AS account_id, amount_cents AS debit, 0 AS credit FROM ledger_transfers WHERE program_id = ANY($1::uuid[])
       UNION ALL
       SELECT credit_account_id, 0, amount_cents FROM ledger_transfers WHERE program_id = ANY($1::uuid[])) legs
     GROUP BY account_id`,
    [facts.programIds],
  );
  const byId = new Map(totals.map((r) => [String(r.id), r]));
  const misposted = await facts.db.rows(
    'funding',
    `SELECT t.id, t.kind, d.kind AS debit_kind, c.kind AS credit_kind,
            (d.funding_line_id = t.funding_line_id AND c.funding_line_id = t.funding_line_id
             AND d.program_id = t.program_id AND c.program_id = t.program_id) AS in_line
       FROM ledger_transfers t
       JOIN ledger_accounts d ON d.id = t.debit_account_id
       JOIN ledger_accounts c ON c.id = t.credit_account_id
      WHERE t.program_id = ANY($1::uuid[])`,
    [facts.programIds],
  );
  for (const transfer of misposted) {
    const movement = MOVEMENTS[transfer.kind as keyof typeof MOVEMENTS];
    if (!transfer.in_line) found.add(`transfer ${transfer.id} moves money across funding lines or programs`);
    else if (!movement || movement.from !== transfer.debit_kind || movement.to !== transfer.credit_kind)
      found.add(
        `transfer ${transfer.id} (${transfer.kind}) goes from ${transfer.debit_kind} to ${transfer.credit_kind}`,
      );
  }
  return accounts.map((account) => ({
    ...account,
    debits: n(byId.get(account.id)?.debits),
    credits: n(byId.get(account.id)?.credits),
  }));
}

/** Funding's own reconciliation (GET /reconciliation), its findings about these programs or the whole ledger. */
async function reconciliationFindings(facts: Facts, found: Violations): Promise<string> {
  const { status, body } = await operatorGet(facts.endpoints.funding, facts.operatorToken, '/reconciliation');
  if (status !== 200) {
    found.add(`GET /reconciliation answered ${status}`);
    return 'GET /reconciliation failed';
  }
  const report = JSON.parse(body) as {
    violations: Array<{ invariant: string; detail: string; programId?: string }>;
    warnings: unknown[];
  };
  const programs = new Set(facts.programIds);
  const relevant = report.violations.filter((v) => !v.programId || programs.has(v.programId.toLowerCase()));
  for (const violation of relevant) found.add(`GET /reconciliation: ${violation.invariant}: ${violation.detail}`);
  return `GET /reconciliation: ${fmt(relevant.length)} violations, ${fmt(report.warnings.length)} warnings`;
}

// ---------------------------------------------------------------------------------------------------------------
// 4. Reporting's totals equal the ledger's and redemption's records

/** Per program, figures by the name "source.figure". */
type Figures = Map<string, Map<string, number>>;

function put(figures: Figures, programId: string, name: string, value: number): void {
  if (!figures.has(programId)) figures.set(programId, new Map());
  const program = figures.get(programId)!;
  program.set(name, (program.get(name) ?? 0) + value);
}

/** Figures that must be equal, whoever computes them. */
const AGREEMENTS: Array<{ what: string; figures: string[] }> = [
  {
    what: 'passes issued',
    figures: ['redemption.passes', 'funding.passes', 'reporting.passes', 'issuance.passes', 'reporting.bookletPasses'],
  },
  {
    what: 'cents issued',
    figures: [
      'redemption.passesCents',
      'funding.passesCents',
      'funding.booklet_issuedCents',
      'reporting.passesCents',
      'reporting.bookletCents',
      'issuance.passesCents',
      'issuance.bookletCents',
    ],
  },
  {
    what: 'booklets',
    figures: [
      'issuance.booklets',
      'reporting.booklets',
      'funding.booklets',
      'funding.booklet_issued',
      'redemption.booklets',
      'reporting.BookletIssued',
    ],
  },
  {
    what: 'passes outstanding',
    figures: ['redemption.issued', 'funding.issued', 'reporting.issued', 'issuance.issued'],
  },
  {
    what: 'cents outstanding',
    figures: [
      'redemption.issuedCents',
      'funding.issuedCents',
      'funding.balance.passes_outstanding',
      'reporting.issuedCents',
      'issuance.issuedCents',
    ],
  },
  {
    what: 'passes redeemed',
    figures: [
      'redemption.redeemed',
      'redemption.liveLines',
      'funding.redeemed',
      'funding.netRedemptions',
      'reporting.redeemed',
      'reporting.netRedemptionEvents',
      'issuance.redeemed',
    ],
  },
  {
    what: 'cents redeemed',
    figures: [
      'redemption.redeemedCents',
      'funding.redeemedCents',
      'funding.balance.site_payable+site_paid',
      'reporting.redeemedCents',
      'issuance.redeemedCents',
    ],
  },
  {
    what: 'cancellations',
    figures: ['redemption.cancelledLines', 'funding.cancellations', 'reporting.RedemptionCancelled'],
  },
  { what: 'cents cancelled', figures: ['redemption.cancelledLinesCents', 'funding.cancellationsCents'] },
  {
    what: 'passes voided',
    figures: [
      'redemption.voided',
      'funding.voided',
      'funding.voucher_voided',
      'reporting.voided',
      'reporting.VoucherVoided',
      'issuance.voided',
    ],
  },
  {
    what: 'cents voided',
    figures: ['redemption.voidedCents', 'funding.voidedCents', 'funding.voucher_voidedCents', 'reporting.voidedCents'],
  },
  {
    what: 'passes expired',
    figures: [
      'redemption.expired',
      'funding.expired',
      'funding.voucher_expired',
      'reporting.expired',
      'reporting.VoucherExpired',
      'issuance.expired',
    ],
  },
  {
    what: 'cents expired',
    figures: [
      'redemption.expiredCents',
      'funding.expiredCents',
      'funding.balance.funder_released',
      'reporting.expiredCents',
    ],
  },
  {
    what: 'budget',
    figures: ['funding.budget', 'funding.balance.funder_commitment', 'reporting.budget', 'reporting.linesBudget'],
  },
  {
    what: 'allocated, net of reductions',
    figures: ['funding.allocatedNet', 'reporting.allocated', 'reporting.linesAllocated'],
  },
  { what: 'credited to funders', figures: ['funding.credited', 'reporting.credited'] },
];

async function reportingEqualsLedger(facts: Facts): Promise<InvariantResult> {
  const found = new Violations();
  const figures: Figures = new Map();
  await Promise.all([
    redemptionFigures(facts, figures),
    fundingFigures(facts, figures),
    reportingFigures(facts, figures),
    issuanceFigures(facts, figures),
  ]);
  for (const programId of facts.programIds) {
    const program = figures.get(programId) ?? new Map<string, number>();
    for (const { what, figures: names } of AGREEMENTS) {
      const values = names.map((name) => program.get(name) ?? 0);
      if (new Set(values).size > 1)
        found.add(
          `program ${short(programId)}, ${what}: ${names.map((name, i) => `${name} ${fmt(values[i])}`).join(', ')}`,
        );
    }
  }
  const statements = await statementsInReporting(facts, found);
  const total = (name: string) => facts.programIds.reduce((s, id) => s + (figures.get(id)?.get(name) ?? 0), 0);
  return outcome(
    'reporting equals the ledger and redemption',
    `${fmt(facts.programIds.length)} programs: ${fmt(total('redemption.passes'))} passes issued (${euros(total('redemption.passesCents'))}) ` +
      `in ${fmt(total('issuance.booklets'))} booklets, ${fmt(total('redemption.redeemed'))} redeemed (${euros(total('redemption.redeemedCents'))}), ` +
      `${fmt(total('redemption.cancelledLines'))} cancellations, ${fmt(total('redemption.voided'))} voided, ` +
      `${fmt(total('redemption.expired'))} expired (${euros(total('redemption.expiredCents'))}): the same in redemption, funding's ledger, ` +
      `reporting and issuance (${AGREEMENTS.length} figures per program); ${statements}`,
    found,
  );
}

function putByStatus(figures: Figures, source: string, rows: Row[]): void {
  for (const r of rows) {
    put(figures, r.program_id, `${source}.passes`, n(r.n));
    put(figures, r.program_id, `${source}.passesCents`, n(r.cents));
    put(figures, r.program_id, `${source}.${r.status}`, n(r.n));
    put(figures, r.program_id, `${source}.${r.status}Cents`, n(r.cents));
  }
}

async function redemptionFigures(facts: Facts, figures: Figures): Promise<void> {
  const db = facts.db;
  putByStatus(
    figures,
    'redemption',
    await db.rows(
      'redemption',
      `SELECT program_id, status, count(*)::int AS n, sum(amount_cents)::bigint AS cents FROM passes WHERE program_id = ANY($1::uuid[]) GROUP BY 1, 2`,
      [facts.programIds],
    ),
  );
  const lines = await db.rows(
    'redemption',
    `SELECT p.program_id, count(*) FILTER (WHERE l.cancelled_at IS NULL)::int AS live,
            count(*) FILTER (WHERE l.cancelled_at IS NOT NULL)::int AS cancelled,
            COALESCE(sum(l.amount_cents) FILTER (WHERE l.cancelled_at IS NOT NULL), 0)::bigint AS cancelled_cents
       FROM redemption_lines l JOIN passes p ON p.id = l.pass_id WHERE p.program_id = ANY($1::uuid[]) GROUP BY 1`,
    [facts.programIds],
  );
  for (const r of lines) {
    put(figures, r.program_id, 'redemption.liveLines', n(r.live));
    put(figures, r.program_id, 'redemption.cancelledLines', n(r.cancelled));
    put(figures, r.program_id, 'redemption.cancelledLinesCents', n(r.cancelled_cents));
  }
  const booklets = await db.rows(
    'redemption',
    `SELECT program_id, count(DISTINCT booklet_id)::int AS n FROM passes WHERE program_id = ANY($1::uuid[]) GROUP BY 1`,
    [facts.programIds],
  );
  for (const r of booklets) put(figures, r.program_id, 'redemption.booklets', n(r.n));
}

async function fundingFigures(facts: Facts, figures: Figures): Promise<void> {
  const db = facts.db;
  const ids = [facts.programIds];
  putByStatus(
    figures,
    'funding',
    (
      await db.rows(
        'funding',
        `SELECT program_id, state AS status, count(*)::int AS n, sum(amount_cents)::bigint AS cents FROM ledger_passes WHERE program_id = ANY($1::uuid[]) GROUP BY 1, 2`,
        ids,
      )
    ).map((r) => ({ ...r, status: r.status === 'outstanding' ? 'issued' : r.status })),
  );
  for (const r of await db.rows(
    'funding',
    `SELECT program_id, count(DISTINCT booklet_id)::int AS n FROM ledger_passes WHERE program_id = ANY($1::uuid[]) GROUP BY 1`,
    ids,
  ))
    put(figures, r.program_id, 'funding.booklets', n(r.n));
  const movements = await db.rows(
    'funding',
    `SELECT program_id, kind, count(DISTINCT movement_id)::int AS n, sum(amount_cents)::bigint AS cents FROM ledger_transfers WHERE program_id = ANY($1::uuid[]) GROUP BY 1, 2`,
    ids,
  );
  for (const r of movements) {
    put(figures, r.program_id, `funding.${r.kind}`, n(r.n));
    put(figures, r.program_id, `funding.${r.kind}Cents`, n(r.cents));
    const cancellation = CANCELLATION_MOVEMENTS.includes(r.kind);
    if (cancellation) {
      put(figures, r.program_id, 'funding.cancellations', n(r.n));
      put(figures, r.program_id, 'funding.cancellationsCents', n(r.cents));
    }
    if (r.kind === 'voucher_redeemed') put(figures, r.program_id, 'funding.netRedemptions', n(r.n));
    if (cancellation) put(figures, r.program_id, 'funding.netRedemptions', -n(r.n));
    if (r.kind === 'allocation_granted') put(figures, r.program_id, 'funding.allocatedNet', n(r.cents));
    if (r.kind === 'allocation_reduced') put(figures, r.program_id, 'funding.allocatedNet', -n(r.cents));
  }
  const balances = await db.rows(
    'funding',
    `SELECT program_id, kind, sum(CASE WHEN kind = 'funder_commitment' THEN debits_posted - credits_posted ELSE credits_posted - debits_posted END)::bigint AS cents
       FROM ledger_accounts WHERE program_id = ANY($1::uuid[]) GROUP BY 1, 2`,
    ids,
  );
  for (const r of balances) {
    put(figures, r.program_id, `funding.balance.${r.kind}`, n(r.cents));
    if (r.kind === 'site_payable' || r.kind === 'site_paid')
      put(figures, r.program_id, 'funding.balance.site_payable+site_paid', n(r.cents));
  }
  for (const r of await db.rows('funding', `SELECT id, budget_cents FROM programs WHERE id = ANY($1::uuid[])`, ids))
    put(figures, r.id, 'funding.budget', n(r.budget_cents));
  for (const r of await db.rows(
    'funding',
    `SELECT program_id, sum(amount_cents)::bigint AS cents FROM funder_credit_notes WHERE program_id = ANY($1::uuid[]) GROUP BY 1`,
    ids,
  ))
    put(figures, r.program_id, 'funding.credited', n(r.cents));
}

async function reportingFigures(facts: Facts, figures: Figures): Promise<void> {
  const db = facts.db;
  const s = await facts.reportingSchema();
  const ids = [facts.programIds];
  putByStatus(
    figures,
    'reporting',
    await db.rows(
      'reporting',
      `SELECT program_id, status, count(*)::int AS n, sum(amount_cents)::bigint AS cents FROM ${s}.passes WHERE program_id = ANY($1::uuid[]) GROUP BY 1, 2`,
      ids,
    ),
  );
  for (const r of await db.rows(
    'reporting',
    `SELECT program_id, count(*)::int AS n, sum(pass_count)::int AS passes, sum(total_cents)::bigint AS cents FROM ${s}.booklets WHERE program_id = ANY($1::uuid[]) GROUP BY 1`,
    ids,
  )) {
    put(figures, r.program_id, 'reporting.booklets', n(r.n));
    put(figures, r.program_id, 'reporting.bookletPasses', n(r.passes));
    put(figures, r.program_id, 'reporting.bookletCents', n(r.cents));
  }
  for (const r of await db.rows(
    'reporting',
    `SELECT program_id, type, count(*)::int AS n FROM ${s}.events WHERE program_id = ANY($1::uuid[]) GROUP BY 1, 2`,
    ids,
  )) {
    put(figures, r.program_id, `reporting.${r.type}`, n(r.n));
    if (r.type === 'VoucherRedeemed') put(figures, r.program_id, 'reporting.netRedemptionEvents', n(r.n));
    if (r.type === 'RedemptionCancelled') put(figures, r.program_id, 'reporting.netRedemptionEvents', -n(r.n));
  }
  for (const r of await db.rows(
    'reporting',
    `SELECT program_id, sum(allocated_cents)::bigint AS cents FROM ${s}.allocations WHERE program_id = ANY($1::uuid[]) GROUP BY 1`,
    ids,
  ))
    put(figures, r.program_id, 'reporting.allocated', n(r.cents));
  for (const r of await db.rows(
    'reporting',
    `SELECT program_id, budget_cents FROM ${s}.programs WHERE program_id = ANY($1::uuid[])`,
    ids,
  ))
    put(figures, r.program_id, 'reporting.budget', n(r.budget_cents));
  for (const r of await db.rows(
    'reporting',
    `SELECT program_id, sum(budget_cents)::bigint AS budget, sum(allocated_cents)::bigint AS allocated, sum(credited_cents)::bigint AS credited
       FROM ${s}.funding_lines WHERE program_id = ANY($1::uuid[]) GROUP BY 1`,
    ids,
  )) {
    put(figures, r.program_id, 'reporting.linesBudget', n(r.budget));
    put(figures, r.program_id, 'reporting.linesAllocated', n(r.allocated));
    put(figures, r.program_id, 'reporting.credited', n(r.credited));
  }
}

async function issuanceFigures(facts: Facts, figures: Figures): Promise<void> {
  const ids = [facts.programIds];
  putByStatus(
    figures,
    'issuance',
    await facts.db.rows(
      'issuance',
      `SELECT b.program_id, p.status, count(*)::int AS n, sum(p.amount_cents)::bigint AS cents
         FROM passes p JOIN booklets b ON b.id = p.booklet_id WHERE b.program_id = ANY($1::uuid[]) GROUP BY 1, 2`,
      ids,
    ),
  );
  for (const r of await facts.db.rows(
    'issuance',
    `SELECT program_id, count(*)::int AS n, sum(total_cents)::bigint AS cents FROM booklets WHERE program_id = ANY($1::uuid[]) GROUP BY 1`,
    ids,
  )) {
    put(figures, r.program_id, 'issuance.booklets', n(r.n));
    put(figures, r.program_id, 'issuance.bookletCents', n(r.cents));
  }
}

/** Reporting's settlement statements of the sites are funding's: same total, held and paid the same. */
async function statementsInReporting(facts: Facts, found: Violations): Promise<string> {
  const s = await facts.reportingSchema();
  const funding = await facts.db.rows(
    'funding',
    `SELECT id, total_cents, payment_run_id IS NULL AS held, paid_at IS NOT NULL AS paid FROM settlement_statements WHERE site_id = ANY($1::uuid[])`,
    [facts.siteIds],
  );
  const reporting = new Map(
    (
      await facts.db.rows(
        'reporting',
        `SELECT statement_id, total_cents, held, paid_at IS NOT NULL AS paid FROM ${s}.settlement_statements WHERE site_id = ANY($1::uuid[])`,
        [facts.siteIds],
      )
    ).map((r) => [r.statement_id as string, r]),
  );
  for (const statement of funding) {
    const seen = reporting.get(statement.id);
    // A held statement released into a later run is paid without a new event: reporting may still show it held.
    if (!seen) found.add(`statement ${short(statement.id)} missing from reporting`);
    else if (n(seen.total_cents) !== n(statement.total_cents) || seen.paid !== statement.paid)
      found.add(
        `statement ${short(statement.id)}: funding ${euros(n(statement.total_cents))}${statement.paid ? ' paid' : ''}, ` +
          `reporting ${euros(n(seen.total_cents))}${seen.paid ? ' paid' : ''}`,
      );
  }
  return `${fmt(funding.length)} settlement statements of the sites, the same in reporting`;
}

// ---------------------------------------------------------------------------------------------------------------
// 5. Settlement: every non-cancelled redemption of a settled period in exactly one statement; files add up

interface RunRow {
  id: string;
  period: string;
  periodEnd: Date;
  status: string;
  createdAt: Date;
}

interface StatementRow {
  id: string;
  runId: string;
  paymentRunId: string | null;
  siteId: string;
  reference: string;
  totalCents: number;
  linesCents: number;
  paid: boolean;
}

async function settlementComplete(facts: Facts): Promise<InvariantResult> {
  const found = new Violations();
  const runs = (
    await facts.db.rows(
      'funding',
      `SELECT id, period, period_end, status, created_at FROM settlement_runs ORDER BY created_at`,
    )
  ).map((r): RunRow => ({
    id: r.id,
    period: r.period,
    periodEnd: r.period_end,
    status: r.status,
    createdAt: r.created_at,
  }));
  const runById = new Map(runs.map((r) => [r.id, r]));
  const acked = facts.ack.settlementRuns.map((a) => ({ ...a, id: a.id.toLowerCase() }));
  for (const run of acked) {
    const row = runById.get(run.id);
    if (!row) found.add(`settlement run ${short(run.id)} (${run.period}) acknowledged, absent from funding`);
    else if (row.period !== run.period)
      found.add(`settlement run ${short(run.id)} settles ${row.period}, not ${run.period}`);
  }
  for (const runId of lower(facts.ack.paidSettlementRuns ?? []))
    if (runById.get(runId)?.status !== 'paid')
      found.add(`payment of run ${short(runId)} acknowledged, the run is not paid`);
  const ackedRuns = acked.map((a) => runById.get(a.id)).filter((r): r is RunRow => r !== undefined);
  if (ackedRuns.length === 0)
    return outcome('settlement complete and filed', 'no settlement run acknowledged: nothing to check', found);

  const statements = (
    await facts.db.rows(
      'funding',
      `SELECT s.id, s.run_id, s.payment_run_id, s.site_id, s.reference, s.total_cents, s.paid_at IS NOT NULL AS paid,
              (SELECT COALESCE(sum(i.amount_cents), 0) FROM settlement_items i WHERE i.statement_id = s.id)::bigint AS lines_cents
         FROM settlement_statements s
        WHERE s.run_id = ANY($1::uuid[]) OR s.payment_run_id = ANY($1::uuid[]) OR s.site_id = ANY($2::uuid[])`,
      [ackedRuns.map((r) => r.id), facts.siteIds],
    )
  ).map((r): StatementRow => ({
    id: r.id,
    runId: r.run_id,
    paymentRunId: r.payment_run_id,
    siteId: r.site_id,
    reference: r.reference,
    totalCents: n(r.total_cents),
    linesCents: n(r.lines_cents),
    paid: r.paid,
  }));
  for (const statement of statements)
    if (statement.totalCents !== statement.linesCents)
      found.add(
        `statement ${statement.reference}: ${euros(statement.totalCents)}, its lines ${euros(statement.linesCents)}`,
      );

  const lastEnd = new Date(Math.max(...ackedRuns.map((r) => r.periodEnd.getTime())));
  const items = await itemsAccountedFor(facts, runs, statements, lastEnd, found);
  const lines = await redemptionLinesSettled(facts, lastEnd, found);
  const files: string[] = [];
  for (const run of ackedRuns) files.push(await paymentFileMatches(facts, run, statements, found));

  return outcome(
    'settlement complete and filed',
    `${fmt(ackedRuns.length)} settlement runs (${ackedRuns.map((r) => r.period).join(', ')}); ${items}; ${lines}; ${files.join('; ')}`,
    found,
  );
}

/**
 * Every redemption item of the programs redeemed before the last settled period's end is in one statement, or
 * cancelled, or pending for a reason of the service's own: it reached funding after (or while) the run that would
 * have taken it, or its site's pending items netted to nothing or less then (carried over).
 */
async function itemsAccountedFor(
  facts: Facts,
  runs: RunRow[],
  statements: StatementRow[],
  lastEnd: Date,
  found: Violations,
): Promise<string> {
  const items = await facts.settlementItems();
  const statementById = new Map(statements.map((s) => [s.id, s]));
  const runById = new Map(runs.map((r) => [r.id, r]));
  const adjustmentOf = new Map(items.filter((i) => i.reversesItemId).map((i) => [i.reversesItemId!, i]));
  const pendingBySite = groupBy(
    items.filter((i) => i.status === 'pending'),
    (i) => i.siteId,
  );
  let settled = 0;
  let cancelled = 0;
  let late = 0;
  let carried = 0;
  const due = items.filter((i) => i.kind === 'redemption' && i.redeemedAt < lastEnd);
  for (const item of due) {
    const what = `item ${item.id} (pass ${short(item.passId)}, site ${short(item.siteId)}, ${item.redeemedAt.toISOString()})`;
    if (item.status === 'settled' || item.status === 'reversed') {
      const statement = item.statementId ? statementById.get(item.statementId) : undefined;
      const run = statement ? runById.get(statement.runId) : undefined;
      if (!run) found.add(`${what} is ${item.status} in statement ${short(item.statementId)}, unknown`);
      else if (run.periodEnd <= item.redeemedAt) found.add(`${what} settled by ${run.period}, before it was redeemed`);
      if (item.status === 'reversed') {
        const adjustment = adjustmentOf.get(item.id);
        if (!adjustment || adjustment.amountCents !== -item.amountCents)
          found.add(`${what} reversed without an adjustment of ${euros(-item.amountCents)}`);
        cancelled += 1;
      } else settled += 1;
    } else if (item.status === 'cancelled') cancelled += 1;
    else {
      const explanation = whyPending(item, runs, pendingBySite.get(item.siteId) ?? []);
      if (explanation === 'late') late += 1;
      else if (explanation === 'carried') carried += 1;
      else found.add(`${what} still pending, though run ${explanation} should have settled it`);
    }
  }
  // Adjustments (cancellations of settled redemptions) are deducted by the next run, with the same reasons to wait.
  const adjustments = items.filter((i) => i.kind === 'adjustment');
  for (const adjustment of adjustments.filter((a) => a.status === 'pending')) {
    const explanation = whyPending(adjustment, runs, pendingBySite.get(adjustment.siteId) ?? []);
    if (explanation !== 'late' && explanation !== 'carried')
      found.add(
        `adjustment ${adjustment.id} (site ${short(adjustment.siteId)}) still pending after run ${explanation}`,
      );
  }
  return (
    `${fmt(due.length)} redemption items redeemed before ${lastEnd.toISOString().slice(0, 10)}: ${fmt(settled)} in one statement, ` +
    `${fmt(cancelled)} cancelled (${fmt(adjustments.length)} adjustments), ${fmt(late)} reached funding after their run, ` +
    `${fmt(carried)} carried over (site netting to nothing or less)`
  );
}

/**
 * 'late', 'carried', or the period of the run that should have taken the item. Any run of a later period takes the
 * pending items of earlier ones too, so only the latest run that covers the item needs a reason to have left it.
 */
function whyPending(item: SettlementItemRow, runs: RunRow[], sitePending: SettlementItemRow[]): string {
  const run = [...runs].reverse().find((r) => item.kind === 'adjustment' || r.periodEnd > item.redeemedAt);
  if (!run || run.createdAt.getTime() - RUN_RACE_MS <= item.createdAt.getTime()) return 'late';
  const net = sitePending
    .filter((i) => i.createdAt < run.createdAt && (i.kind === 'adjustment' || i.redeemedAt < run.periodEnd))
    .reduce((total, i) => total + i.amountCents, 0);
  return net <= 0 ? 'carried' : run.period;
}

/** From redemption's side: each live line of the sites before the period's end has one live item, each cancelled line none. */
async function redemptionLinesSettled(facts: Facts, lastEnd: Date, found: Violations): Promise<string> {
  const [records, items] = await Promise.all([facts.redemptionRows(), facts.settlementItems()]);
  const live = new Map(
    items
      .filter((i) => i.kind === 'redemption' && (i.status === 'pending' || i.status === 'settled'))
      .map((i) => [`${i.redemptionId}/${i.passId}`, i]),
  );
  let checked = 0;
  for (const record of records.values()) {
    if (record.redeemedAt >= lastEnd) continue;
    for (const line of record.lines) {
      checked += 1;
      const item = live.get(`${record.id}/${line.passId}`);
      if (line.cancelledAt === null && !item)
        found.add(`redemption ${short(record.id)}, pass ${short(line.passId)}: live, no live settlement item`);
      if (line.cancelledAt !== null && item)
        found.add(
          `redemption ${short(record.id)}, pass ${short(line.passId)}: cancelled, its settlement item is ${item.status}`,
        );
    }
  }
  return `${fmt(checked)} redemption lines of the sites before that date, each matched by funding`;
}

/** The run's payable statements, its API view and its SEPA file (parsed) agree on count, control sum and each transfer. */
async function paymentFileMatches(
  facts: Facts,
  run: RunRow,
  statements: StatementRow[],
  found: Violations,
): Promise<string> {
  const payable = statements.filter((s) => s.paymentRunId === run.id);
  const controlSum = sum(payable, (s) => s.totalCents);
  const held = statements.filter((s) => s.runId === run.id && s.paymentRunId === null);
  const view = await operatorGet(facts.endpoints.funding, facts.operatorToken, `/settlement-runs/${run.id}`);
  if (view.status !== 200) found.add(`GET /settlement-runs/${short(run.id)} answered ${view.status}`);
  else {
    const file = (JSON.parse(view.body) as { paymentFile: { transactions: number; controlSumCents: number } })
      .paymentFile;
    if (file.transactions !== payable.length || file.controlSumCents !== controlSum)
      found.add(
        `run ${run.period}: the API shows ${file.transactions} transfers for ${euros(file.controlSumCents)}, ` +
          `its statements ${payable.length} for ${euros(controlSum)}`,
      );
  }
  const sepa = await operatorGet(facts.endpoints.funding, facts.operatorToken, `/settlement-runs/${run.id}/sepa`);
  if (payable.length === 0) {
    if (sepa.status !== 409) found.add(`run ${run.period}: nothing to pay, the SEPA file answered ${sepa.status}`);
    return `${run.period}: nothing to pay (${held.length} statements held)`;
  }
  if (sepa.status !== 200) {
    found.add(`run ${run.period}: GET …/sepa answered ${sepa.status}`);
    return `${run.period}: no SEPA file`;
  }
  const file = parseSepa(sepa.body);
  const expected = new Map(payable.map((s) => [s.reference, s.totalCents]));
  if (file.headerCount !== payable.length || file.blockCount !== payable.length)
    found.add(`run ${run.period}: NbOfTxs ${file.headerCount}/${file.blockCount}, ${payable.length} statements`);
  if (file.headerSumCents !== controlSum || file.blockSumCents !== controlSum)
    found.add(
      `run ${run.period}: CtrlSum ${euros(file.headerSumCents)}/${euros(file.blockSumCents)}, statements ${euros(controlSum)}`,
    );
  const transferSum = sum(file.transfers, (t) => t.amountCents);
  if (transferSum !== controlSum) found.add(`run ${run.period}: the file's transfers sum to ${euros(transferSum)}`);
  for (const transfer of file.transfers) {
    if (expected.get(transfer.reference) !== transfer.amountCents)
      found.add(
        `run ${run.period}: transfer ${transfer.reference} of ${euros(transfer.amountCents)} matches no statement`,
      );
    expected.delete(transfer.reference);
  }
  for (const reference of expected.keys()) found.add(`run ${run.period}: statement ${reference} not in the SEPA file`);
  return `${run.period}: ${fmt(payable.length)} statements = ${fmt(file.transfers.length)} SEPA transfers = CtrlSum ${euros(file.headerSumCents)} (${held.length} held)`;
}

interface SepaFile {
  headerCount: number;
  blockCount: number;
  headerSumCents: number;
  blockSumCents: number;
  transfers: Array<{ reference: string; amountCents: number }>;
}

/** The figures of a pain.001 credit transfer file: group header, payment block and each transaction. */
export function parseSepa(xml: string): SepaFile {
  const element = (text: string, name: string) =>
    [...text.matchAll(new RegExp(`<${name}(?: [^>]*)?>([^<]*)</${name}>`, 'g'))].map((m) => m[1].trim());
  const header = xml.match(/<GrpHdr>([\s\S]*?)<\/GrpHdr>/)?.[1] ?? '';
  const block = xml.match(/<PmtInf>([\s\S]*?)<CdtTrfTxInf>/)?.[1] ?? '';
  const transfers = [...xml.matchAll(/<CdtTrfTxInf>([\s\S]*?)<\/CdtTrfTxInf>/g)].map((m) => ({
    reference: element(m[1], 'EndToEndId')[0] ?? '',
    amountCents: centsOf(element(m[1], 'InstdAmt')[0]),
  }));
  return {
    headerCount: n(element(header, 'NbOfTxs')[0]),
    blockCount: n(element(block, 'NbOfTxs')[0]),
    headerSumCents: centsOf(element(header, 'CtrlSum')[0]),
    blockSumCents: centsOf(element(block, 'CtrlSum')[0]),
    transfers,
  };
}

/** "123.40" → 12340, without floating point. */
function centsOf(decimal: string | undefined): number {
  if (!decimal || !/^\d+(\.\d{1,2})?$/.test(decimal)) return NaN;
  const [whole, fraction = ''] = decimal.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

// ---------------------------------------------------------------------------------------------------------------
// 6. No outbox row left unpublished

async function outboxesEmpty(facts: Facts): Promise<InvariantResult> {
  const found = new Violations();
  const counts: string[] = [];
  for (const service of SERVICES) {
    const [row] = await facts.db.rows(
      service,
      `SELECT count(*) FILTER (WHERE published_at IS NULL)::int AS unpublished, count(*)::int AS total,
              min(created_at) FILTER (WHERE published_at IS NULL) AS oldest
         FROM outbox_messages`,
    );
    if (row.unpublished > 0)
      found.add(
        `${service}: ${fmt(row.unpublished)} unpublished outbox rows, the oldest from ${row.oldest?.toISOString()}`,
      );
    counts.push(`${service} ${fmt(row.unpublished)}/${fmt(row.total)}`);
  }
  return outcome('outboxes empty', `unpublished/kept outbox rows: ${counts.join(', ')}`, found);
}

// ---------------------------------------------------------------------------------------------------------------
// 7. No event lost or applied twice: each consumer's inbox once per event, effects as many as events

/** Who consumes what (the services' @OnEvent handlers): the inbox of each must hold each event once. */
const CONSUMERS: Array<{ producer: ServiceName; types: string[]; consumers: ServiceName[]; field?: 'siteId' }> = [
  { producer: 'issuance', types: ['BookletIssued'], consumers: ['redemption', 'funding', 'reporting'] },
  { producer: 'issuance', types: ['VoucherVoidRequested'], consumers: ['redemption', 'reporting'] },
  { producer: 'issuance', types: ['AllocationReleased'], consumers: ['funding', 'reporting'] },
  {
    producer: 'redemption',
    types: ['VoucherRedeemed', 'RedemptionCancelled', 'VoucherVoided', 'VoucherExpired'],
    consumers: ['issuance', 'funding', 'reporting'],
  },
  { producer: 'redemption', types: ['VoucherVoidRejected'], consumers: ['issuance', 'reporting'] },
  {
    producer: 'funding',
    types: ['ProgramOpened', 'ProgramClosed', 'AllocationGranted', 'AllocationReclaimRequested'],
    consumers: ['issuance', 'reporting'],
  },
  {
    producer: 'funding',
    types: ['ProgramBudgetIncreased', 'AllocationReduced', 'FunderCreditNoteIssued'],
    consumers: ['reporting'],
  },
  {
    producer: 'funding',
    types: ['SettlementStatementIssued', 'SettlementPaid'],
    consumers: ['reporting'],
    field: 'siteId',
  },
];

/**
 * Events funding posts to the ledger, one movement each, linked by the event id. (AllocationReleased's reduction
 * is posted by reference to its reclaim, not its event: the inbox alone proves it was applied once.)
 */
const POSTED_EVENTS = ['BookletIssued', 'VoucherRedeemed', 'RedemptionCancelled', 'VoucherVoided', 'VoucherExpired'];

async function noEventAppliedTwice(facts: Facts): Promise<InvariantResult> {
  const found = new Violations();
  for (const service of SERVICES) {
    const duplicates = await facts.db.rows(
      service,
      `SELECT consumer, event_id, count(*)::int AS n FROM inbox_records GROUP BY 1, 2 HAVING count(*) > 1 LIMIT ${EXAMPLES}`,
    );
    for (const d of duplicates)
      found.add(`${service}: event ${short(d.event_id)} ${d.n} times in ${d.consumer}'s inbox`);
  }
  const events = new Map<string, OutboxEvent>();
  const byType = new Map<string, number>();
  let inboxRows = 0;
  for (const { producer, types, consumers, field } of CONSUMERS) {
    const produced = await facts.outboxEvents(producer, types, field);
    for (const event of produced) {
      events.set(event.eventId, event);
      byType.set(event.type, (byType.get(event.type) ?? 0) + 1);
    }
    const ids = produced.map((e) => e.eventId);
    for (const consumer of consumers) {
      const rows = await facts.db.rows(
        consumer,
        `SELECT event_id, count(*)::int AS n FROM inbox_records WHERE consumer = $1 AND event_id = ANY($2::uuid[]) GROUP BY 1`,
        [consumer, ids],
      );
      inboxRows += sum(rows, (r) => n(r.n));
      const seen = new Map(rows.map((r) => [r.event_id as string, n(r.n)]));
      for (const event of produced)
        if (seen.get(event.eventId) !== 1)
          found.add(
            `${event.type} ${short(event.eventId)} is ${seen.get(event.eventId) ?? 0} times in ${consumer}'s inbox`,
          );
    }
  }
  const ledgerMovements = await effectsMatchEvents(facts, events, found);
  const audit = await auditTrailComplete(facts, events, found);
  const passesKnown = await bookletPassesKnown(facts, events, found);
  return outcome(
    'no event lost or applied twice',
    `${fmt(events.size)} events about the programs and sites (${[...byType].map(([t, c]) => `${t} ${fmt(c)}`).join(', ')}): ` +
      `${fmt(inboxRows)} inbox rows, each event once per consumer; ${ledgerMovements}; ${audit}; ${passesKnown}`,
    found,
  );
}

/** One ledger movement per money event, and no movement from an event nobody produced. */
async function effectsMatchEvents(facts: Facts, events: Map<string, OutboxEvent>, found: Violations): Promise<string> {
  const movements = await facts.movementsByEvent();
  let posted = 0;
  for (const event of events.values()) {
    const count = sum(movements.get(event.eventId) ?? [], (m) => m.movements);
    posted += count;
    const expected = POSTED_EVENTS.includes(event.type) ? 1 : 0;
    if (count !== expected)
      found.add(`${event.type} ${short(event.eventId)} posted ${count} ledger movements, not ${expected}`);
  }
  for (const [eventId, list] of movements)
    if (!events.has(eventId))
      found.add(
        `ledger movement ${list.map((m) => m.kind).join('+')} from event ${short(eventId)}, which no outbox holds`,
      );
  return `${fmt(posted)} ledger movements, one per money event`;
}

async function auditTrailComplete(facts: Facts, events: Map<string, OutboxEvent>, found: Violations): Promise<string> {
  const s = await facts.reportingSchema();
  const rows = await facts.db.rows(
    'reporting',
    `SELECT event_id, type FROM ${s}.events WHERE event_id = ANY($1::uuid[])`,
    [[...events.keys()]],
  );
  const seen = new Map(rows.map((r) => [r.event_id as string, r.type as string]));
  for (const event of events.values())
    if (seen.get(event.eventId) !== event.type)
      found.add(`${event.type} ${short(event.eventId)} missing from reporting's audit trail`);
  return `${fmt(rows.length)} of them in reporting's audit trail`;
}

/** Redemption knows each pass of each BookletIssued, once. */
async function bookletPassesKnown(facts: Facts, events: Map<string, OutboxEvent>, found: Violations): Promise<string> {
  const passes = await facts.passes();
  const perBooklet = countBy([...passes.values()], (p) => p.bookletId);
  let booklets = 0;
  for (const event of events.values()) {
    if (event.type !== 'BookletIssued') continue;
    booklets += 1;
    const expected = (event.payload.passes as unknown[]).length;
    const known = perBooklet.get(String(event.payload.bookletId).toLowerCase()) ?? 0;
    if (known !== expected)
      found.add(`booklet ${short(event.payload.bookletId)}: ${known} passes in redemption, ${expected} issued`);
  }
  return `the passes of ${fmt(booklets)} booklets in redemption`;
}

// ---------------------------------------------------------------------------------------------------------------
// 8. Every dead letter explained

/** Events whose loss would miss money or a pass's state somewhere: open as dead letters, they are violations. */
const MONEY_EVENTS = new Set([
  'ProgramOpened',
  'ProgramBudgetIncreased',
  'AllocationGranted',
  'AllocationReclaimRequested',
  'AllocationReduced',
  'AllocationReleased',
  'BookletIssued',
  'VoucherVoidRequested',
  'VoucherRedeemed',
  'RedemptionCancelled',
  'VoucherVoided',
  'VoucherVoidRejected',
  'VoucherExpired',
  'SettlementStatementIssued',
  'SettlementPaid',
  'FunderCreditNoteIssued',
]);

async function deadLettersExplained(facts: Facts): Promise<InvariantResult> {
  const found = new Violations();
  const passes = await facts.passes();
  const scope = new Set([
    ...facts.programIds,
    ...facts.agencyIds,
    ...facts.siteIds,
    ...facts.bookletIds,
    ...facts.redemptions.keys(),
    ...passes.keys(),
  ]);
  const listed: string[] = [];
  let open = 0;
  for (const service of SERVICES) {
    const rows = await facts.db.rows(
      service,
      `SELECT id, source_topic, event_id, event_type, error, state, discard_reason, raw_value FROM dead_letters ORDER BY id`,
    );
    for (const row of rows) {
      const ids =
        String(row.raw_value ?? '')
          .toLowerCase()
          .match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? [];
      // A message naming nothing (not an event at all) cannot be attributed: it counts, to be safe.
      if (ids.length > 0 && !ids.some((id) => scope.has(id))) continue;
      const resolution = row.state === 'discarded' ? `discarded: ${row.discard_reason}` : row.state;
      const line = `${service} ← ${row.source_topic}: ${row.event_type ?? 'not an event'} ${short(row.event_id)} (${resolution}): ${String(row.error).slice(0, 160)}`;
      listed.push(line);
      if (row.state === 'open') open += 1;
      if (row.state === 'open' && MONEY_EVENTS.has(row.event_type)) found.add(`unresolved money event: ${line}`);
    }
  }
  const figure =
    listed.length === 0
      ? 'no dead letter about the programs, agencies, sites or passes in any of the four services'
      : `${fmt(listed.length)} dead letters (${fmt(open)} open): ${listed.slice(0, 10).join(' | ')}${listed.length > 10 ? ' | …' : ''}`;
  return outcome('dead letters explained', figure, found);
}

// ---------------------------------------------------------------------------------------------------------------
// 9. An agency never beyond its allocation

interface AgencyProgram {
  fundingGranted: number;
  ledgerGranted: number;
  ledgerReduced: number;
  ledgerAllocated: number;
  issuanceGranted: number;
  issuanceBalance: number;
  issuanceReleased: number;
  issuedCents: number;
  voidedCents: number;
  acknowledged: number;
  uncertain: number;
}

async function agenciesWithinAllocation(facts: Facts): Promise<InvariantResult> {
  const found = new Violations();
  const pairs = new Map<string, AgencyProgram>();
  const pair = (agencyId: string, programId: string) => {
    const key = `${agencyId.toLowerCase()}/${programId.toLowerCase()}`;
    if (!pairs.has(key))
      pairs.set(key, {
        fundingGranted: 0,
        ledgerGranted: 0,
        ledgerReduced: 0,
        ledgerAllocated: 0,
        issuanceGranted: 0,
        issuanceBalance: 0,
        issuanceReleased: 0,
        issuedCents: 0,
        voidedCents: 0,
        acknowledged: 0,
        uncertain: 0,
      });
    return pairs.get(key)!;
  };
  const scope = [facts.agencyIds, facts.programIds];
  for (const a of facts.ack.allocations) pair(a.agencyId, a.programId).acknowledged += a.amountCents;
  for (const a of facts.ack.uncertainAllocations ?? []) pair(a.agencyId, a.programId).uncertain += a.amountCents;
  for (const r of await facts.db.rows(
    'funding',
    `SELECT agency_id, program_id, sum(amount_cents)::bigint AS cents FROM allocations WHERE agency_id = ANY($1::uuid[]) AND program_id = ANY($2::uuid[]) GROUP BY 1, 2`,
    scope,
  ))
    pair(r.agency_id, r.program_id).fundingGranted = n(r.cents);
  for (const r of await facts.db.rows(
    'funding',
    `SELECT owner_id, program_id, credits_posted - debits_posted AS balance FROM ledger_accounts
      WHERE kind = 'agency_allocated' AND owner_id = ANY($1::uuid[]) AND program_id = ANY($2::uuid[])`,
    scope,
  ))
    pair(r.owner_id, r.program_id).ledgerAllocated += n(r.balance);
  for (const r of await facts.db.rows(
    'funding',
    `SELECT a.owner_id, t.program_id, t.kind, sum(t.amount_cents)::bigint AS cents
       FROM ledger_transfers t
       JOIN ledger_accounts a ON a.id = CASE WHEN t.kind = 'allocation_granted' THEN t.credit_account_id ELSE t.debit_account_id END
      WHERE t.kind IN ('allocation_granted', 'allocation_reduced') AND t.program_id = ANY($2::uuid[]) AND a.owner_id = ANY($1::uuid[])
      GROUP BY 1, 2, 3`,
    scope,
  )) {
    const p = pair(r.owner_id, r.program_id);
    if (r.kind === 'allocation_granted') p.ledgerGranted += n(r.cents);
    else p.ledgerReduced += n(r.cents);
  }
  for (const r of await facts.db.rows(
    'issuance',
    `SELECT a.agency_id, a.program_id, a.granted_cents, a.balance_cents,
            (SELECT COALESCE(sum(released_cents), 0) FROM allocation_reclaims c WHERE c.agency_id = a.agency_id AND c.program_id = a.program_id)::bigint AS released
       FROM allocations a WHERE a.agency_id = ANY($1::uuid[]) AND a.program_id = ANY($2::uuid[])`,
    scope,
  )) {
    const p = pair(r.agency_id, r.program_id);
    p.issuanceGranted = n(r.granted_cents);
    p.issuanceBalance = n(r.balance_cents);
    p.issuanceReleased = n(r.released);
  }
  for (const r of await facts.db.rows(
    'issuance',
    `SELECT b.agency_id, b.program_id, sum(p.amount_cents)::bigint AS issued,
            COALESCE(sum(p.amount_cents) FILTER (WHERE p.status = 'voided'), 0)::bigint AS voided
       FROM booklets b JOIN passes p ON p.booklet_id = b.id
      WHERE b.agency_id = ANY($1::uuid[]) AND b.program_id = ANY($2::uuid[]) GROUP BY 1, 2`,
    scope,
  )) {
    const p = pair(r.agency_id, r.program_id);
    p.issuedCents = n(r.issued);
    p.voidedCents = n(r.voided);
  }

  let granted = 0;
  let issued = 0;
  let highestUse = 0;
  for (const [key, p] of pairs) {
    const where = `agency ${short(key.split('/')[0])}, program ${short(key.split('/')[1])}`;
    granted += p.fundingGranted;
    issued += p.issuedCents;
    const available = p.issuanceGranted - p.issuanceReleased + p.voidedCents;
    if (p.issuanceGranted > 0)
      highestUse = Math.max(
        highestUse,
        (p.issuedCents - p.voidedCents) / (p.issuanceGranted - p.issuanceReleased || 1),
      );
    if (p.issuedCents > available)
      found.add(
        `${where}: issued ${euros(p.issuedCents)}, beyond ${euros(available)} granted net of reclaims, voids returned`,
      );
    if (p.issuanceBalance < 0 || p.ledgerAllocated < 0)
      found.add(
        `${where}: negative balance (${euros(p.issuanceBalance)} in issuance, ${euros(p.ledgerAllocated)} in the ledger)`,
      );
    if (p.issuanceBalance !== available - p.issuedCents)
      found.add(
        `${where}: issuance's balance ${euros(p.issuanceBalance)}, its own records say ${euros(available - p.issuedCents)}`,
      );
    if (new Set([p.fundingGranted, p.ledgerGranted, p.issuanceGranted]).size > 1)
      found.add(
        `${where}: granted ${euros(p.fundingGranted)} in funding, ${euros(p.ledgerGranted)} in the ledger, ${euros(p.issuanceGranted)} in issuance`,
      );
    if (p.ledgerReduced !== p.issuanceReleased)
      found.add(
        `${where}: ${euros(p.ledgerReduced)} reduced in the ledger, ${euros(p.issuanceReleased)} released by issuance`,
      );
    if (p.issuanceBalance !== p.ledgerAllocated)
      found.add(`${where}: balance ${euros(p.issuanceBalance)} in issuance, ${euros(p.ledgerAllocated)} in the ledger`);
    if (p.fundingGranted < p.acknowledged || p.fundingGranted > p.acknowledged + p.uncertain)
      found.add(
        `${where}: ${euros(p.fundingGranted)} granted, ${euros(p.acknowledged)} acknowledged (+ ${euros(p.uncertain)} unanswered)`,
      );
  }
  const booklets = await acknowledgedBookletsEverywhere(facts, found);
  return outcome(
    'agencies within their allocation',
    `${fmt(pairs.size)} agency × program allocations: ${euros(granted)} granted, ${euros(issued)} issued; the fullest ` +
      `${(highestUse * 100).toFixed(1)} % used; granted, reduced and balance the same in funding, the ledger and issuance; ${booklets}`,
    found,
  );
}

/** Each acknowledged booklet is in issuance as told, and its passes in redemption, the ledger and reporting. */
async function acknowledgedBookletsEverywhere(facts: Facts, found: Violations): Promise<string> {
  const ids = [facts.bookletIds];
  const s = await facts.reportingSchema();
  const count = async (service: ServiceName, sql: string) =>
    new Map((await facts.db.rows(service, sql, ids)).map((r) => [r.id as string, r]));
  const issuance = await count(
    'issuance',
    `SELECT b.id, b.program_id, b.agency_id, b.total_cents, count(p.id)::int AS passes FROM booklets b LEFT JOIN passes p ON p.booklet_id = b.id
      WHERE b.id = ANY($1::uuid[]) GROUP BY b.id`,
  );
  const redemption = await count(
    'redemption',
    `SELECT booklet_id AS id, count(*)::int AS passes FROM passes WHERE booklet_id = ANY($1::uuid[]) GROUP BY 1`,
  );
  const funding = await count(
    'funding',
    `SELECT booklet_id AS id, count(*)::int AS passes FROM ledger_passes WHERE booklet_id = ANY($1::uuid[]) GROUP BY 1`,
  );
  const reporting = await count(
    'reporting',
    `SELECT b.booklet_id AS id, b.pass_count, (SELECT count(*)::int FROM ${s}.passes p WHERE p.booklet_id = b.booklet_id) AS passes
       FROM ${s}.booklets b WHERE b.booklet_id = ANY($1::uuid[])`,
  );
  for (const booklet of facts.ack.booklets) {
    const id = booklet.bookletId.toLowerCase();
    const where = `booklet ${short(id)}`;
    const issued = issuance.get(id);
    if (!issued) {
      found.add(`${where}: acknowledged, absent from issuance`);
      continue;
    }
    if (
      issued.program_id !== booklet.programId.toLowerCase() ||
      issued.agency_id !== booklet.agencyId.toLowerCase() ||
      n(issued.total_cents) !== booklet.amountCents ||
      n(issued.passes) !== booklet.passCount
    )
      found.add(
        `${where}: issuance holds ${n(issued.passes)} passes for ${euros(n(issued.total_cents))}, not as acknowledged`,
      );
    for (const [service, rows] of [
      ['redemption', redemption],
      ['funding', funding],
      ['reporting', reporting],
    ] as const)
      if (n(rows.get(id)?.passes) !== booklet.passCount)
        found.add(`${where}: ${n(rows.get(id)?.passes)} of its ${booklet.passCount} passes in ${service}`);
  }
  return `${fmt(facts.ack.booklets.length)} acknowledged booklets, each in issuance as told and its passes in redemption, the ledger and reporting`;
}

// ---------------------------------------------------------------------------------------------------------------
// The checks, and the wait for the pipelines to drain

const INVARIANTS: Array<[string, (facts: Facts) => Promise<InvariantResult>]> = [
  ['acknowledged redemptions exist once everywhere', acknowledgedRedemptionsEverywhere],
  ['no pass redeemed twice', noPassRedeemedTwice],
  ['ledger conservation', ledgerConservation],
  ['reporting equals the ledger and redemption', reportingEqualsLedger],
  ['settlement complete and filed', settlementComplete],
  ['outboxes empty', outboxesEmpty],
  ['no event lost or applied twice', noEventAppliedTwice],
  ['dead letters explained', deadLettersExplained],
  ['agencies within their allocation', agenciesWithinAllocation],
];

/**
 * Checks every invariant once the load has stopped and the pipelines drained. Never writes: each database is read
 * in one read-only snapshot. An invariant that cannot be checked (a query failing, an API down) is reported violated.
 */
export async function checkInvariants(input: {
  databases: DatabaseUrls;
  acknowledged: Acknowledgements;
  endpoints: Endpoints;
  operatorToken: string;
}): Promise<InvariantResult[]> {
  const snapshot = await Snapshot.open(input.databases);
  try {
    const facts = new Facts(snapshot, input.acknowledged, input.endpoints, input.operatorToken);
    const results: InvariantResult[] = [];
    for (const [name, check] of INVARIANTS) {
      try {
        results.push(await check(facts));
      } catch (error) {
        const message = (error as Error).message;
        results.push({ name, ok: false, figure: `could not be checked: ${message}`, violations: [message] });
      }
    }
    return results;
  } finally {
    await snapshot.close();
  }
}

interface HealthDetails {
  outbox?: { backlog?: number };
  consumer?: { lag?: Record<string, number>; awaitingCause?: unknown[] };
}

interface DrainReading {
  /** Why the pipelines are not drained yet; empty when they are. */
  pending: string[];
  /** What must not change between two drained readings: nothing is still moving. */
  fingerprint: string;
}

/**
 * Waits until every outbox is empty (read in its database), every consumer group has no lag and no instance holds
 * an event awaiting its cause (read in each instance's /health), and two consecutive readings agree (nothing was
 * published, consumed nor dead-lettered in between). Throws after `timeoutMs`: not draining fails the soak.
 */
export async function waitForDrain(input: {
  endpoints: Endpoints;
  databases: DatabaseUrls;
  timeoutMs: number;
}): Promise<{ seconds: number }> {
  const started = Date.now();
  let previous: DrainReading | undefined;
  let last: DrainReading = { pending: ['not read yet'], fingerprint: '' };
  while (Date.now() - started <= input.timeoutMs) {
    last = await readDrain(input.endpoints, input.databases).catch((error: Error) => ({
      pending: [`reading failed: ${error.message}`],
      fingerprint: '',
    }));
    if (last.pending.length === 0 && previous?.pending.length === 0 && previous.fingerprint === last.fingerprint)
      return { seconds: (Date.now() - started) / 1000 };
    previous = last;
    await sleep(DRAIN_READ_INTERVAL_MS);
  }
  throw new Error(
    `The pipelines did not drain within ${Math.round(input.timeoutMs / 1000)} s: ${last.pending.slice(0, 8).join('; ')}`,
  );
}

async function readDrain(endpoints: Endpoints, databases: DatabaseUrls): Promise<DrainReading> {
  const pending: string[] = [];
  const fingerprint: Record<string, unknown> = {};
  for (const service of SERVICES) {
    const tables = await readTables(databases[service]);
    fingerprint[service] = tables;
    if (tables.unpublished > 0) pending.push(`${service}: ${tables.unpublished} outbox rows unpublished`);
    let lag: Record<string, number> | undefined;
    for (const url of endpoints[service]) {
      const details = await healthDetails(url);
      if (!details) {
        pending.push(`${url}/health does not answer`);
        continue;
      }
      const awaiting = details.consumer?.awaitingCause ?? [];
      if (awaiting.length > 0) pending.push(`${url}: ${awaiting.length} events awaiting their cause`);
      const reported = details.consumer?.lag ?? {};
      if (!lag && Object.keys(reported).length > 0) lag = reported;
    }
    // An empty lag map means the broker did not answer the instance: lag unknown, not zero.
    if (!lag) pending.push(`${service}: consumer lag unknown`);
    else
      for (const [topic, value] of Object.entries(lag))
        if (value > 0) pending.push(`${service}: lag ${value} on ${topic}`);
  }
  return { pending, fingerprint: JSON.stringify(fingerprint) };
}

/** A fresh connection per reading: the database may have been restarted since the last one. */
async function readTables(
  url: string,
): Promise<{ unpublished: number; lastOutbox: string; inbox: number; deadLetters: number }> {
  const client = readOnlyClient(url);
  try {
    await client.connect();
    const {
      rows: [row],
    } = await client.query(
      `SELECT (SELECT count(*) FROM outbox_messages WHERE published_at IS NULL)::int AS unpublished,
              (SELECT COALESCE(max(id), 0) FROM outbox_messages)::text AS last_outbox,
              (SELECT count(*) FROM inbox_records)::int AS inbox,
              (SELECT count(*) FROM dead_letters)::int AS dead_letters`,
    );
    return {
      unpublished: row.unpublished,
      lastOutbox: row.last_outbox,
      inbox: row.inbox,
      deadLetters: row.dead_letters,
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function healthDetails(url: string): Promise<HealthDetails | undefined> {
  try {
    // /health answers 503 with its details while a part is down: the figures are still there.
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(3000) });
    return ((await response.json()) as { details?: HealthDetails }).details;
  } catch {
    return undefined;
  }
}
