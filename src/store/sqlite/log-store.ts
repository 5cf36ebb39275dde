import type { LogEvent, LogQuery, LogStore, LogStreamSummary, StoredLogEvent } from '../ports.js';
import type { SqliteDatabase } from './database.js';

interface Row {
  id: number;
  function: string;
  log_stream: string;
  request_id: string | null;
  ts: number;
  message: string;
}

export class SqliteLogStore implements LogStore {
  readonly #insert;
  readonly #deleteFn;
  readonly #streams;

  constructor(private readonly db: SqliteDatabase) {
    this.#insert = db.prepare(
      'INSERT INTO log_events (function, log_stream, request_id, ts, message) VALUES (?, ?, ?, ?, ?)',
    );
    this.#deleteFn = db.prepare('DELETE FROM log_events WHERE function = ?');
    this.#streams = db.prepare<[string], { log_stream: string; first: number; last: number; bytes: number }>(
      `SELECT log_stream, min(ts) AS first, max(ts) AS last, sum(length(message)) AS bytes
       FROM log_events WHERE function = ? GROUP BY log_stream ORDER BY last DESC`,
    );
  }

  async append(events: readonly LogEvent[]): Promise<void> {
    if (events.length === 0) return;
    this.db.transaction(() => {
      for (const e of events) {
        this.#insert.run(e.functionName, e.logStream, e.requestId ?? null, e.timestamp, e.message);
      }
    })();
  }

  async query(q: LogQuery): Promise<StoredLogEvent[]> {
    const where = ['function = @functionName'];
    if (q.startTime !== undefined) where.push('ts >= @startTime');
    if (q.endTime !== undefined) where.push('ts <= @endTime');
    if (q.requestId !== undefined) where.push('request_id = @requestId');
    if (q.contains !== undefined) where.push('instr(message, @contains) > 0');
    if (q.afterId !== undefined) where.push('id > @afterId');
    const params: Record<string, unknown> = {};
    if (q.logStreams !== undefined) {
      const names = q.logStreams.map((name, i) => {
        params[`s${i}`] = name;
        return `@s${i}`;
      });
      where.push(names.length ? `log_stream IN (${names.join(', ')})` : '0');
    }
    if (q.logStreamPrefix !== undefined) where.push('substr(log_stream, 1, length(@prefix)) = @prefix');
    const sql = `SELECT * FROM log_events WHERE ${where.join(' AND ')} ORDER BY id LIMIT @limit`;
    const rows = this.db.prepare<Record<string, unknown>, Row>(sql).all({
      ...params,
      prefix: q.logStreamPrefix,
      functionName: q.functionName,
      startTime: q.startTime,
      endTime: q.endTime,
      requestId: q.requestId,
      contains: q.contains,
      afterId: q.afterId,
      limit: q.limit,
    });
    return rows.map((r) => ({
      id: r.id,
      functionName: r.function,
      logStream: r.log_stream,
      ...(r.request_id === null ? {} : { requestId: r.request_id }),
      timestamp: r.ts,
      message: r.message,
    }));
  }

  async streams(functionName: string): Promise<LogStreamSummary[]> {
    return this.#streams.all(functionName).map((r) => ({
      logStream: r.log_stream,
      firstEventTimestamp: r.first,
      lastEventTimestamp: r.last,
      storedBytes: r.bytes,
    }));
  }

  async deleteFunction(functionName: string): Promise<void> {
    this.#deleteFn.run(functionName);
  }
}
