import type {
  InvocationRecord,
  InvocationStore,
  SeriesPoint,
  SeriesQuery,
  ThrottleRecord,
  UsageQuery,
  UsageRow,
} from '../ports.js';
import type { SqliteDatabase } from './database.js';
import { computeSeries } from './series.js';

interface Row {
  request_id: string;
  function: string;
  version: string;
  invocation_type: string;
  started_at: number;
  duration_ms: number;
  billed_ms: number;
  memory_mb: number;
  max_memory_mb: number;
  init_ms: number | null;
  cold: number;
  outcome: string;
  error_type: string | null;
  architecture: string;
}

const PERIOD_MS = { day: 86_400_000, hour: 3_600_000 } as const;

export class SqliteInvocationStore implements InvocationStore {
  readonly #insert;
  readonly #insertThrottle;
  readonly #recent;
  readonly #recentBefore;

  constructor(private readonly db: SqliteDatabase) {
    this.#insert = db.prepare(
      `INSERT INTO invocations (request_id, function, version, invocation_type, started_at, duration_ms,
        billed_ms, memory_mb, max_memory_mb, init_ms, cold, outcome, error_type, architecture)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#insertThrottle = db.prepare('INSERT INTO throttles (function, at, reason) VALUES (?, ?, ?)');
    this.#recent = db.prepare<[string, number], Row>(
      'SELECT * FROM invocations WHERE function = ? ORDER BY started_at DESC LIMIT ?',
    );
    this.#recentBefore = db.prepare<[string, number, number], Row>(
      'SELECT * FROM invocations WHERE function = ? AND started_at < ? ORDER BY started_at DESC LIMIT ?',
    );
  }

  async appendThrottles(records: readonly ThrottleRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.db.transaction(() => {
      for (const r of records) this.#insertThrottle.run(r.functionName, r.at, r.reason);
    })();
  }

  async series(q: SeriesQuery): Promise<SeriesPoint[]> {
    return computeSeries(this.db, q);
  }

  async append(records: readonly InvocationRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.db.transaction(() => {
      for (const r of records) {
        this.#insert.run(
          r.requestId,
          r.functionName,
          r.version,
          r.invocationType,
          r.startedAt,
          r.durationMs,
          r.billedMs,
          r.memoryMb,
          r.maxMemoryMb,
          r.initDurationMs ?? null,
          r.cold ? 1 : 0,
          r.outcome,
          r.errorType ?? null,
          r.architecture,
        );
      }
    })();
  }

  async recent(functionName: string, limit: number, before?: number): Promise<InvocationRecord[]> {
    const rows =
      before === undefined
        ? this.#recent.all(functionName, limit)
        : this.#recentBefore.all(functionName, before, limit);
    return rows.map(toRecord);
  }

  async usage(q: UsageQuery): Promise<UsageRow[]> {
    const where: string[] = [];
    if (q.since !== undefined) where.push('started_at >= @since');
    if (q.until !== undefined) where.push('started_at < @until');
    if (q.functionName !== undefined) where.push('function = @functionName');
    const period = q.by === 'all' ? 'NULL' : `(started_at / ${PERIOD_MS[q.by]}) * ${PERIOD_MS[q.by]}`;
    const sql = `SELECT function, ${period} AS period, architecture,
        count(*) AS requests,
        sum(outcome <> 'success') AS errors,
        sum(cold) AS cold_starts,
        sum(duration_ms) AS duration_ms,
        sum(billed_ms) AS billed_ms,
        sum(memory_mb / 1024.0 * billed_ms / 1000.0) AS gb_seconds
      FROM invocations ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      GROUP BY function, period, architecture ORDER BY function, period`;
    const rows = this.db
      .prepare(sql)
      .all({ since: q.since, until: q.until, functionName: q.functionName }) as {
      function: string;
      period: number | null;
      architecture: string;
      requests: number;
      errors: number;
      cold_starts: number;
      duration_ms: number;
      billed_ms: number;
      gb_seconds: number;
    }[];
    return rows.map((r) => ({
      functionName: r.function,
      ...(r.period === null ? {} : { period: r.period }),
      architecture: r.architecture === 'arm64' ? 'arm64' : 'x86_64',
      requests: r.requests,
      errors: r.errors,
      coldStarts: r.cold_starts,
      durationMs: r.duration_ms,
      billedMs: r.billed_ms,
      gbSeconds: r.gb_seconds,
    }));
  }
}

function toRecord(r: Row): InvocationRecord {
  return {
    requestId: r.request_id,
    functionName: r.function,
    version: r.version,
    invocationType: r.invocation_type === 'Event' ? 'Event' : 'RequestResponse',
    startedAt: r.started_at,
    durationMs: r.duration_ms,
    billedMs: r.billed_ms,
    memoryMb: r.memory_mb,
    maxMemoryMb: r.max_memory_mb,
    ...(r.init_ms === null ? {} : { initDurationMs: r.init_ms }),
    cold: r.cold === 1,
    outcome: r.outcome as InvocationRecord['outcome'],
    ...(r.error_type === null ? {} : { errorType: r.error_type }),
    architecture: r.architecture === 'arm64' ? 'arm64' : 'x86_64',
  };
}
