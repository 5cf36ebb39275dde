import { TIMEOUT_MAX_SECONDS } from '../../domain/limits.js';
import type { SeriesPoint, SeriesQuery } from '../ports.js';
import type { SqliteDatabase } from './database.js';

/** An invocation that started before the window may still be running in it. */
const LONGEST_INVOCATION_MS = TIMEOUT_MAX_SECONDS * 1000;

/**
 * Per-period activity computed from the metering records (CloudWatch's Lambda metrics, from the
 * same data the bill comes from): counts by start time, duration percentiles by nearest rank, and
 * concurrency as the most invocations running at once, swept over start and end times.
 */
export function computeSeries(db: SqliteDatabase, q: SeriesQuery): SeriesPoint[] {
  const n = Math.max(0, Math.ceil((q.until - q.since) / q.periodMs));
  const points: SeriesPoint[] = [];
  for (let i = 0; i < n; i++) {
    points.push({
      t: q.since + i * q.periodMs,
      invocations: 0,
      errors: 0,
      throttles: 0,
      coldStarts: 0,
      durationP50: null,
      durationP99: null,
      durationMax: null,
      concurrency: 0,
    });
  }
  if (n === 0) return points;
  const bucket = (t: number) => Math.floor((t - q.since) / q.periodMs);
  const durations: number[][] = points.map(() => []);
  const fn = q.functionName ?? null;
  const version = q.version ?? null;

  const rows = db
    .prepare<
      { fn: string | null; version: string | null; from: number; until: number },
      { started_at: number; duration_ms: number; outcome: string; cold: number }
    >(
      `SELECT started_at, duration_ms, outcome, cold FROM invocations
       WHERE (@fn IS NULL OR function = @fn) AND (@version IS NULL OR version = @version)
         AND started_at >= @from AND started_at < @until
       ORDER BY started_at`,
    )
    .iterate({ fn, version, from: q.since - LONGEST_INVOCATION_MS, until: q.until });

  const running = new MinHeap();
  const runningAtStart = points.map(() => 0);
  for (const r of rows) {
    const start = r.started_at;
    const end = start + r.duration_ms;
    while (running.size > 0 && running.peek() <= start) running.pop();
    if (start >= q.since) {
      const b = bucket(start);
      const p = points[b]!;
      p.invocations++;
      if (r.outcome !== 'success') p.errors++;
      if (r.cold === 1) p.coldStarts++;
      durations[b]!.push(r.duration_ms);
      p.concurrency = Math.max(p.concurrency, running.size + 1);
    }
    // Periods that begin while this invocation runs see it running.
    for (let b = Math.max(0, bucket(start) + 1); b < n && points[b]!.t < end; b++) runningAtStart[b]!++;
    running.push(end);
  }
  for (let b = 0; b < n; b++) {
    const p = points[b]!;
    p.concurrency = Math.max(p.concurrency, runningAtStart[b]!);
    const d = durations[b]!;
    if (d.length === 0) continue;
    d.sort((a, c) => a - c);
    p.durationP50 = nearestRank(d, 0.5);
    p.durationP99 = nearestRank(d, 0.99);
    p.durationMax = d[d.length - 1]!;
  }

  const throttles = db
    .prepare<{ fn: string | null; since: number; until: number }, { at: number }>(
      `SELECT at FROM throttles
       WHERE (@fn IS NULL OR function = @fn) AND at >= @since AND at < @until`,
    )
    .iterate({ fn, since: q.since, until: q.until });
  for (const t of throttles) points[bucket(t.at)]!.throttles++;
  return points;
}

function nearestRank(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

/** End times of running invocations, smallest first. */
class MinHeap {
  readonly #a: number[] = [];
  get size(): number {
    return this.#a.length;
  }
  peek(): number {
    return this.#a[0]!;
  }
  push(v: number): void {
    const a = this.#a;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]! <= v) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = v;
  }
  pop(): number {
    const a = this.#a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        let mv = last;
        if (l < a.length && a[l]! < mv) {
          m = l;
          mv = a[l]!;
        }
        if (r < a.length && a[r]! < mv) m = r;
        if (m === i) break;
        a[i] = a[m]!;
        i = m;
      }
      a[i] = last;
    }
    return top;
  }
}
