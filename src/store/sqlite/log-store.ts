import type { LogEvent, LogQuery, LogStore, StoredLogEvent } from '../ports.js';
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

  constructor(private readonly db: SqliteDatabase) {
    this.#insert = db.prepare(
      'INSERT INTO log_events (function, log_stream, request_id, ts, message) VALUES (?, ?, ?, ?, ?)',
    );
    this.#deleteFn = db.prepare('DELETE FROM log_events WHERE function = ?');
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
    const sql = `SELECT * FROM log_events WHERE ${where.join(' AND ')} ORDER BY id LIMIT @limit`;
    const rows = this.db.prepare<Record<string, unknown>, Row>(sql).all({
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

  async deleteFunction(functionName: string): Promise<void> {
    this.#deleteFn.run(functionName);
  }
}
