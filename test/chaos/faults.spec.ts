import { SERVICES } from './cluster';
import { seededRandom } from '@app/testing';
import { parseDuration, scheduleFaults } from './faults';

describe('the chaos fault schedule', () => {
  it('replays from its seed', () => {
    expect(scheduleFaults(150_000, seededRandom(42))).toEqual(scheduleFaults(150_000, seededRandom(42)));
    expect(scheduleFaults(150_000, seededRandom(42))).not.toEqual(scheduleFaults(150_000, seededRandom(43)));
  });

  it.each([150_000, 600_000])(
    'kills every service, restarts the broker and the database within %i ms',
    (durationMs) => {
      for (const seed of [1, 2, 3, 99]) {
        const faults = scheduleFaults(durationMs, seededRandom(seed));
        for (const service of SERVICES)
          expect(faults.some((f) => f.kind === 'kill' && f.target?.startsWith(`${service}-`))).toBe(true);
        expect(faults.filter((f) => f.kind === 'broker-restart').length).toBeGreaterThanOrEqual(1);
        expect(faults.filter((f) => f.kind === 'postgres-restart').length).toBeGreaterThanOrEqual(1);
        expect(faults.some((f) => f.kind === 'pause' && f.downMs > 10_000)).toBe(true);
        expect(faults.every((f) => f.atMs > 0 && f.atMs < durationMs)).toBe(true);
      }
    },
  );

  it('has dozens of kills in ten minutes', () => {
    const faults = scheduleFaults(600_000, seededRandom(7));
    expect(faults.filter((f) => f.kind === 'kill').length).toBeGreaterThanOrEqual(24);
    expect(faults.filter((f) => f.kind === 'broker-restart').length).toBeGreaterThanOrEqual(3);
  });

  it('reads durations in seconds or with a unit', () => {
    expect(parseDuration('150')).toBe(150_000);
    expect(parseDuration('150s')).toBe(150_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(() => parseDuration('ten minutes')).toThrow(/CHAOS_DURATION/);
  });
});
