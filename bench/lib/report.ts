// The results as a Markdown page: the machine, the measurements, and issue 11's targets.
import type { PhaseResult } from './load';

const fmt = (value: number | null | undefined, unit = '') =>
  value === null || value === undefined ? 'n/a' : `${value}${unit}`;
const verdict = (ok: boolean | null) => (ok === null ? '—' : ok ? '✅' : '❌');

export function toMarkdown(results: any): string {
  const m = results.machine;
  const phases: PhaseResult[] = results.redemptions;
  const at500 = phases.find((p) => p.targetRate === 500);
  const max = phases[phases.length - 1];
  const lines: string[] = [];
  lines.push(`# Benchmark ${results.startedAt}`, '');
  lines.push(
    `Machine: ${m.nproc} CPU (${m.cpuModel}), ${m.memoryGiB} GiB RAM, load average at start ${m.loadAverageAtStart}; Node ${m.node}; ${m.postgres}; Kafka ${m.kafka}.`,
    '',
    `CPU calibration (a fixed piece of JSON and SHA-256 work, best of three; lower is faster, compare reports only at similar values): ${fmt(m.cpuCalibrationMsAtStart, ' ms')} at the start, ${fmt(m.cpuCalibrationMsAtEnd, ' ms')} at the end.`,
    '',
    `Loopback round trip (a byte to another process and back over TCP, best of three runs of 2,000; what each SQL statement, Kafka request and HTTP call pays besides its own work): ${fmt(m.loopbackRoundTripMicrosAtStart, ' µs')} at the start, ${fmt(m.loopbackRoundTripMicrosAtEnd, ' µs')} at the end.`,
    '',
    `Scale: BENCH_PASSES=${results.config.passes}, BENCH_DURATION=${results.config.durationSeconds} s, ${results.config.connections} connections, ` +
      `${results.seed.programs.length} programs × ${results.config.agenciesPerProgram} agencies × ${results.config.sitesPerProgram} sites.`,
    '',
  );

  lines.push('## Targets', '', '| target | measured | |', '|---|---|---|');
  const target = (name: string, measured: string, ok: boolean | null) =>
    lines.push(`| ${name} | ${measured} | ${verdict(ok)} |`);
  target(
    '≥ 1000 redemptions/s sustained',
    `${fmt(max?.sustainedPerSecond)}/s (max phase)`,
    max ? max.sustainedPerSecond >= 1000 : null,
  );
  target(
    'p99 ≤ 50 ms at 500/s',
    `${fmt(at500?.latencyMs.p99, ' ms')} (achieved ${fmt(at500?.sustainedPerSecond)}/s)`,
    at500?.latencyMs.p99 != null ? at500.latencyMs.p99 <= 50 && at500.sustainedPerSecond >= 475 : null,
  );
  const lag500 = at500 ? Math.max(at500.lag.ledger.p99Ms ?? Infinity, at500.lag.reporting.p99Ms ?? Infinity) : null;
  target(
    'end-to-end lag p99 ≤ 1 s at 500/s',
    `ledger ${fmt(at500?.lag.ledger.p99Ms, ' ms')}, reporting ${fmt(at500?.lag.reporting.p99Ms, ' ms')}`,
    lag500 === null ? null : lag500 <= 1000,
  );
  target(
    '≥ 50 % of pgbench',
    `${results.redemptionVsPgbench === null ? 'n/a' : `${Math.round(results.redemptionVsPgbench * 100)} %`}`,
    results.redemptionVsPgbench === null ? null : results.redemptionVsPgbench >= 0.5,
  );
  const bulk = results.seed.issuance.bulk;
  const single = results.seed.issuance.single;
  target(
    'issuance ≥ 5000 passes/s',
    bulk
      ? `${Math.round(bulk.passesPerSecond)} passes/s in orders of ${results.config.orderSize} booklets (one booklet at a time: ${Math.round(single.passesPerSecond)} passes/s)`
      : `${Math.round(single.passesPerSecond)} passes/s (one booklet at a time; no orders)`,
    (bulk ?? single).passesPerSecond >= 5000,
  );
  target(
    'expiry of 1,000,000 passes ≤ 60 s',
    results.expiry
      ? `${results.expiry.passesPerSecond} passes/s → ${results.expiry.projectedSecondsForOneMillion} s projected (${results.expiry.expired} measured)`
      : 'skipped',
    results.expiry ? results.expiry.projectedSecondsForOneMillion <= 60 : null,
  );
  target(
    'rebuild ≥ 20,000 events/s',
    results.rebuild
      ? `${results.rebuild.eventsPerSecond} events/s (${results.rebuild.replayedEvents} events, ${results.rebuild.status})`
      : 'skipped',
    results.rebuild ? results.rebuild.eventsPerSecond >= 20000 : null,
  );
  for (const [name, peak] of Object.entries<any>(results.memory)) {
    const value = peak.kernelPeakRssMiB ?? peak.sampledPeakRssMiB;
    target(
      `${name} < 300 MB RSS`,
      `${fmt(peak.sampledPeakRssMiB, ' MiB')} sampled, ${fmt(peak.kernelPeakRssMiB, ' MiB')} VmHWM`,
      value === null ? null : value * 1.048576 < 300,
    );
  }
  lines.push('');

  lines.push('## POST /redemptions', '');
  lines.push(
    '| phase | requests | redeemed | sustained/s | p50 ms | p95 ms | p99 ms | max ms | statuses | refusals | ledger lag p50/p99 ms | reporting lag p50/p99 ms |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const p of phases) {
    const codes =
      Object.entries(p.refusals)
        .map(([code, n]) => `${code}: ${n}`)
        .join(', ') || 'none';
    const statuses = Object.entries(p.statuses)
      .map(([code, n]) => `${code}: ${n}`)
      .join(', ');
    lines.push(
      `| ${p.name} | ${p.requests} | ${p.succeeded} | ${p.sustainedPerSecond} | ${fmt(p.latencyMs.p50)} | ${fmt(p.latencyMs.p95)} | ${fmt(p.latencyMs.p99)} | ${fmt(p.latencyMs.max)} | ${statuses} | ${codes} | ` +
        `${fmt(p.lag.ledger.p50Ms)} / ${fmt(p.lag.ledger.p99Ms)} (${p.lag.ledger.posted}/${p.lag.sampled}) | ${fmt(p.lag.reporting.p50Ms)} / ${fmt(p.lag.reporting.p99Ms)} (${p.lag.reporting.processed}/${p.lag.sampled}) |`,
    );
  }
  lines.push(
    '',
    `Latencies are raw per-request times seen by autocannon; a fixed rate is spread over ${phases[0]?.waves ?? 1} autocannon instances started evenly across the second (one instance sends a second's share at once). Lag is measured from ${phases[0]?.lag.source ?? ''}.`,
    '',
  );
  lines.push(
    'CPU seconds used during each phase (the machine has ' + m.nproc + ' CPUs; `bench` is the load generator):',
    '',
  );
  const components = Object.keys(phases[0]?.cpuSeconds ?? {});
  lines.push(`| phase | ${components.join(' | ')} |`, `|---|${components.map(() => '---').join('|')}|`);
  for (const p of phases) lines.push(`| ${p.name} | ${components.map((c) => p.cpuSeconds[c]).join(' | ')} |`);
  lines.push('');
  // What one redemption costs the whole machine, and the rate at which its CPUs would be fully used: the ceiling on this hardware.
  lines.push('CPU milliseconds per redemption, and the rate that would use every CPU of the machine at that cost:', '');
  lines.push(
    `| phase | ${components.join(' | ')} | total | ceiling/s |`,
    `|---|${components.map(() => '---').join('|')}|---|---|`,
  );
  for (const p of phases) {
    if (p.succeeded === 0) continue;
    const perRedemption = components.map((c) => (p.cpuSeconds[c] * 1000) / p.succeeded);
    const total = perRedemption.reduce((sum, ms) => sum + ms, 0);
    lines.push(
      `| ${p.name} | ${perRedemption.map((ms) => ms.toFixed(2)).join(' | ')} | ${total.toFixed(2)} | ${Math.round((m.nproc * 1000) / total)} |`,
    );
  }
  lines.push('');

  const databases = [...new Set(phases.flatMap((p) => Object.keys(p.postgresCpuSecondsByDatabase ?? {})))].sort();
  if (databases.length > 0) {
    lines.push(
      "PostgreSQL's CPU milliseconds per redemption, by the database its backends served (`background`: WAL writer, checkpointer, autovacuum and connections that ended during the phase):",
      '',
    );
    lines.push(`| phase | ${databases.join(' | ')} |`, `|---|${databases.map(() => '---|').join('')}`);
    for (const p of phases) {
      lines.push(
        `| ${p.name} | ${databases.map((d) => (((p.postgresCpuSecondsByDatabase[d] ?? 0) * 1000) / p.succeeded).toFixed(2)).join(' | ')} |`,
      );
    }
    lines.push('');
  }

  const i = results.seed.issuance;
  lines.push('## Issuance, expiry, rebuild, database limit', '');
  for (const p of [i.single, i.bulk].filter(Boolean)) {
    lines.push(
      `- Issuance, ${p.route}: ${p.passes} passes in ${p.booklets} booklets, ${p.requests} requests (${p.concurrency} concurrent) in ${p.seconds.toFixed(1)} s = ${Math.round(p.passesPerSecond)} passes/s; ` +
        `${p.failures} failed; redemption knew every pass ${p.redemptionCatchUpSeconds.toFixed(1)} s after the last answer. CPU seconds while issuing: ${Object.entries(
          p.cpuSeconds,
        )
          .map(([c, v]) => `${c} ${v}`)
          .join(', ')}` +
        ` (postgres by database: ${Object.entries(p.postgresCpuSecondsByDatabase ?? {})
          .map(([d, v]) => `${d} ${v}`)
          .join(', ')}).`,
    );
  }
  lines.push(
    `- After issuance, every consumer (funding, reporting) had caught up ${results.seed.allConsumersSettledSeconds} s after redemption knew every pass.`,
  );
  if (results.expiry)
    lines.push(
      `- Expiry: ${results.expiry.expired} passes in ${results.expiry.batches} batches, ${results.expiry.serviceDurationMs} ms (${results.expiry.passesPerSecond} passes/s); ${results.expiry.method}.`,
    );
  if (results.rebuild) {
    const cpu = results.rebuild.cpu;
    lines.push(
      `- Rebuild: ${results.rebuild.replayedEvents} events in ${results.rebuild.seconds} s = ${results.rebuild.eventsPerSecond} events/s (${results.rebuild.status}${results.rebuild.error ? `: ${results.rebuild.error}` : ''}).` +
        (cpu
          ? ` CPU seconds from the request to the end: reporting ${cpu.components.reporting}, postgres ${cpu.components.postgres} (pass_reporting ${cpu.postgresByDatabase.pass_reporting ?? 0}), kafka ${cpu.components.kafka}; ` +
            `${machineBusy(cpu)}.`
          : ''),
    );
  }
  if (results.pgbench) {
    for (const v of results.pgbench.variants) {
      lines.push(
        `- pgbench, ${v.name}: ${fmt(v.tps)} tps, ${fmt(v.latencyAverageMs, ' ms')} average, ${results.pgbench.clients} clients, ${results.pgbench.passesInTable} passes in the table.`,
      );
      if (v.cpu) {
        // pgbench's backends end with the run, so their time is in `background` (the postmaster's): PostgreSQL's whole share is taken.
        const postgres = v.cpu.components.postgres ?? 0;
        const transactions = (v.tps ?? 0) * results.pgbench.durationSeconds;
        lines.push(
          `  CPU seconds during the run: pgbench ${v.cpu.endedChildrenSeconds}, ${Object.entries(v.cpu.components)
            .map(([c, s]) => `${c} ${s}`)
            .join(', ')} (postgres by database: ${Object.entries(v.cpu.postgresByDatabase)
            .map(([d, s]) => `${d} ${s}`)
            .join(', ')}); ` +
            machineBusy(v.cpu) +
            (transactions > 0
              ? `; PostgreSQL (all its processes) spent ${((1000 * postgres) / transactions).toFixed(2)} ms of CPU per transaction, pgbench ${((1000 * v.cpu.endedChildrenSeconds) / transactions).toFixed(2)} ms.`
              : '.'),
        );
      }
    }
    lines.push(
      `- End-to-end redemptions (max phase) / the best pgbench figure: ${results.redemptionVsPgbench === null ? 'n/a' : `${Math.round(results.redemptionVsPgbench * 100)} %`}.`,
    );
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}

/** How busy the whole machine was in a CPU window (bench/lib/machine.ts cpuWindow), against what its CPUs could give. */
function machineBusy(cpu: { machineBusySeconds: number; machineCapacitySeconds: number }): string {
  return `the machine was busy ${cpu.machineBusySeconds} of ${cpu.machineCapacitySeconds} CPU-seconds (${Math.round((100 * cpu.machineBusySeconds) / cpu.machineCapacitySeconds)} %)`;
}

/**
 * The run as one row of the history table in bench/README.md, printed at the end of a run: start (UTC), the host's
 * CPUs and CPU calibration (start→end), scale, max redemptions/s, the 500/s phase (rate, p99, lag p99 ledger /
 * reporting), issuance, expiry of the million passes (`~` when projected from fewer), rebuild, the largest peak RSS
 * of a service, pgbench's best tps. `–` for what the run skipped.
 */
export function historyRow(results: any): string {
  const m = results.machine;
  const phases: PhaseResult[] = results.redemptions;
  const at500 = phases.find((p) => p.targetRate === 500);
  const max = phases[phases.length - 1];
  const n = (value: number | null | undefined) =>
    value === null || value === undefined ? '–' : String(Math.round(value)).replace(/\B(?=(\d{3})+$)/g, ',');
  const cpu = String(m.cpuModel)
    .replace(/\((R|TM)\)|\bProcessor\b|\bCPU\b|^Intel\b|^AMD\b/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const calibration =
    m.cpuCalibrationMsAtStart === undefined ? '' : `, ${m.cpuCalibrationMsAtStart}→${m.cpuCalibrationMsAtEnd}`;
  const issuance = results.seed.issuance.bulk
    ? n(results.seed.issuance.bulk.passesPerSecond)
    : `${n(results.seed.issuance.single.passesPerSecond)} (single)`;
  const expiry = results.expiry
    ? `${results.expiry.expired === 1_000_000 ? '' : '~'}${results.expiry.projectedSecondsForOneMillion}`
    : '–';
  const rebuild = results.rebuild
    ? `${n(results.rebuild.eventsPerSecond)}${results.rebuild.status === 'completed' ? '' : ` (${results.rebuild.status})`}`
    : '–';
  const peaks = Object.values<any>(results.memory)
    .map((peak) => peak.kernelPeakRssMiB ?? peak.sampledPeakRssMiB)
    .filter((v) => typeof v === 'number');
  const pgbench = results.pgbench ? Math.max(0, ...results.pgbench.variants.map((v: any) => v.tps ?? 0)) || null : null;
  const cells = [
    String(results.startedAt).slice(0, 16).replace('T', ' '),
    `${m.nproc} × ${cpu}${calibration}`,
    `${results.config.passes / 1000}k × ${results.config.durationSeconds} s`,
    n(max?.sustainedPerSecond),
    n(at500?.sustainedPerSecond),
    n(at500?.latencyMs.p99),
    at500 ? `${n(at500.lag.ledger.p99Ms)} / ${n(at500.lag.reporting.p99Ms)}` : '–',
    issuance,
    expiry,
    rebuild,
    peaks.length > 0 ? n(Math.max(...peaks)) : '–',
    n(pgbench),
  ];
  return `| ${cells.join(' | ')} |`;
}
