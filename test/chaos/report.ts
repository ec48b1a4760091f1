// The soak's report: test/chaos/results/<time>.md and latest.md, in plain
// Markdown so that a reader sees the faults, the requests, every invariant
// with its figure, and how long the system took to recover.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InjectedFault } from './faults';
import { faultCounts } from './faults';
import type { InvariantResult, RequestRecord } from './model';
import type { LagSample } from './observe';

export interface SoakResult {
  seed: number;
  durationMs: number;
  startedAt: Date;
  commit: string;
  faults: InjectedFault[];
  /** Exits of service instances that the soak did not cause, per instance. */
  crashes: Record<string, number>;
  records: RequestRecord[];
  invariants: InvariantResult[];
  largestLag: { total: number; at: number; byService: Record<string, number | undefined> };
  /** Seconds from the end of the load until every outbox and consumer had drained (before the final settlement). */
  drainSeconds?: number;
  recovery: Array<{ kind: string; toRedemptionMs?: number; toCaughtUpMs?: number }>;
  samples: LagSample[];
  /** Why the soak itself failed (a part that never came back, pipelines that never drained), if it did. */
  failure?: string;
}

const number = (value: number) => value.toLocaleString('en-US');
const seconds = (ms?: number) => (ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`);

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function outcomeClass(outcome: RequestRecord['outcome']): string {
  if (typeof outcome === 'number') return `${Math.floor(outcome / 100)}xx`;
  return outcome;
}

export function passed(result: SoakResult): boolean {
  return !result.failure && result.invariants.length > 0 && result.invariants.every((i) => i.ok);
}

export function renderReport(result: SoakResult): string {
  const lines: string[] = [];
  const verdict = passed(result)
    ? 'PASSED: zero violations of every invariant'
    : `FAILED: ${result.failure ?? `${result.invariants.filter((i) => !i.ok).length} invariant(s) violated`}`;
  lines.push(
    `# Chaos soak, ${result.startedAt.toISOString()}`,
    '',
    `**${verdict}**`,
    '',
    `- seed ${result.seed} (\`CHAOS_SEED=${result.seed}\` replays the same fault schedule), load for ${seconds(result.durationMs)}`,
    `- commit ${result.commit}; two instances of each service, the soak's own PostgreSQL and Kafka broker`,
    `- drained ${seconds(result.drainSeconds === undefined ? undefined : result.drainSeconds * 1000)} after the load stopped`,
    '',
  );

  lines.push('## Faults injected', '', '| fault | count |', '|---|---:|');
  const counts = faultCounts(result.faults);
  for (const [kind, count] of Object.entries(counts).sort()) lines.push(`| ${kind} | ${count} |`);
  lines.push(`| **all** | **${result.faults.length}** |`);
  lines.push(
    `| clients disconnecting mid-request | ${result.records.filter((r) => r.outcome === 'aborted').length} |`,
    '',
  );
  const failedRecoveries = result.faults.filter((f) => f.error);
  if (failedRecoveries.length > 0) {
    lines.push('Faults whose recovery failed:', '');
    for (const fault of failedRecoveries) lines.push(`- ${fault.kind} ${fault.target ?? ''}: ${fault.error}`);
    lines.push('');
  }
  const crashes = Object.entries(result.crashes).filter(([, count]) => count > 0);
  lines.push(
    crashes.length === 0
      ? 'No instance exited on its own (every exit was a fault the soak injected).'
      : `Instances that exited on their own and were restarted: ${crashes.map(([name, count]) => `${name} ×${count}`).join(', ')}.`,
    '',
  );

  lines.push('## Requests by outcome', '');
  const classes = ['2xx', '4xx', '5xx', 'refused', 'reset', 'timeout', 'aborted', 'other'];
  lines.push(
    `| request | ${classes.join(' | ')} | 4xx and 5xx codes |`,
    `|---|${classes.map(() => '---:').join('|')}|---|`,
  );
  const byKind = new Map<string, RequestRecord[]>();
  for (const record of result.records) byKind.set(record.kind, [...(byKind.get(record.kind) ?? []), record]);
  for (const [kind, records] of [...byKind].sort(([a], [b]) => a.localeCompare(b))) {
    const tally = new Map<string, number>();
    const codes = new Map<string, number>();
    for (const record of records) {
      const key = outcomeClass(record.outcome);
      tally.set(key, (tally.get(key) ?? 0) + 1);
      if (record.code && (key === '4xx' || key === '5xx')) codes.set(record.code, (codes.get(record.code) ?? 0) + 1);
    }
    const codeList = [...codes]
      .sort((a, b) => b[1] - a[1])
      .map(([code, count]) => `${code} ${count}`)
      .join(', ');
    lines.push(`| ${kind} | ${classes.map((c) => number(tally.get(c) ?? 0)).join(' | ')} | ${codeList} |`);
  }
  lines.push(
    `| **all** | ${classes.map((c) => number(result.records.filter((r) => outcomeClass(r.outcome) === c).length)).join(' | ')} | |`,
    '',
  );

  lines.push('## Invariants', '', '| invariant | result | figure |', '|---|---|---|');
  for (const invariant of result.invariants) {
    lines.push(
      `| ${invariant.name} | ${invariant.ok ? 'ok' : '**violated**'} | ${invariant.figure.replace(/\|/g, '\\|')} |`,
    );
  }
  if (result.invariants.length === 0) lines.push('| (not checked) | | |');
  for (const invariant of result.invariants.filter((i) => !i.ok)) {
    lines.push('', `### ${invariant.name}`, '', ...(invariant.violations ?? []).map((v) => `- ${v}`));
  }
  lines.push('');

  lines.push(
    '## Recovery',
    '',
    'From each fault to the next redemption answered with a 2xx, and to every consumer group caught up',
    '(lag of at most 20 events once the part was back), median and worst by kind of fault:',
    '',
    '| fault | count | to next redemption (median / worst) | to consumers caught up (median / worst) |',
    '|---|---:|---|---|',
  );
  const kinds = [...new Set(result.recovery.map((r) => r.kind))].sort();
  for (const kind of kinds) {
    const of = result.recovery.filter((r) => r.kind === kind);
    const toRedemption = of.map((r) => r.toRedemptionMs).filter((v): v is number => v !== undefined);
    const toCaughtUp = of.map((r) => r.toCaughtUpMs).filter((v): v is number => v !== undefined);
    const never = (values: number[]) => (values.length < of.length ? ` (${of.length - values.length} never)` : '');
    lines.push(
      `| ${kind} | ${of.length} | ${seconds(median(toRedemption))} / ${seconds(toRedemption.length ? Math.max(...toRedemption) : undefined)}${never(toRedemption)} | ${seconds(median(toCaughtUp))} / ${seconds(toCaughtUp.length ? Math.max(...toCaughtUp) : undefined)}${never(toCaughtUp)} |`,
    );
  }
  const lag = result.largestLag;
  lines.push(
    '',
    '## Lag',
    '',
    `Largest consumer lag seen: ${number(lag.total)} events in all (${Object.entries(lag.byService)
      .map(([service, value]) => `${service} ${number(value ?? 0)}`)
      .join(
        ', ',
      )})${lag.at ? `, ${seconds(lag.at - result.startedAt.getTime())} into the run` : ''}; ${number(result.samples.length)} samples, one a second.`,
    '',
  );
  return lines.join('\n');
}

/** Writes results/<time>.md and latest.md; returns the first's path. */
export function writeReport(directory: string, result: SoakResult): string {
  mkdirSync(directory, { recursive: true });
  const markdown = renderReport(result);
  const path = join(directory, `${result.startedAt.toISOString().replace(/[:.]/g, '-')}.md`);
  writeFileSync(path, markdown);
  writeFileSync(join(directory, 'latest.md'), markdown);
  return path;
}
