import type { AsyncCondition, AsyncEventState } from '../../domain/async-invoke.js';
import type {
  AsyncEvent,
  AsyncEventQuery,
  AsyncEventStore,
  AsyncEventSummary,
  AsyncFinish,
  AsyncResponse,
  AsyncRetry,
  NewAsyncEvent,
} from '../ports.js';
import type { SqliteDatabase } from './database.js';
import type { GroupCommitter } from './group-commit.js';

interface Row {
  seq: number;
  request_id: string;
  function: string;
  qualifier: string | null;
  payload: Buffer;
  trace_id: string | null;
  state: string;
  attempts: number;
  backoffs: number;
  enqueued_at: number;
  due_at: number;
  updated_at: number;
  last_error: string | null;
  last_status: number | null;
  last_function_error: string | null;
  last_response: Buffer | null;
  condition: string | null;
}

type SummaryRow = Omit<Row, 'payload' | 'last_response'> & { payload_bytes: number };

const WAITING = `state IN ('queued', 'retrying')`;
const SUMMARY_COLUMNS = `seq, request_id, function, qualifier, trace_id, state, attempts, backoffs, enqueued_at,
  due_at, updated_at, last_error, last_status, last_function_error, condition, length(payload) AS payload_bytes`;

/**
 * Live events by function and state for `/metrics`. Succeeded events (kept an hour for replay)
 * are not read: the counts come from a partial index (migration 0012), and functions that only
 * have succeeded events are found by skipping through the function index, one lookup per
 * function, so they still report zeros.
 */
export const COUNT_ALL_SQL = `WITH RECURSIVE fns(name) AS (
   SELECT min(function) FROM async_events
   UNION ALL
   SELECT (SELECT min(function) FROM async_events WHERE function > fns.name) FROM fns
   WHERE fns.name IS NOT NULL
 )
 SELECT function, state, count(*) AS n FROM async_events INDEXED BY async_events_live
   WHERE state <> 'succeeded' GROUP BY function, state
 UNION ALL
 SELECT name AS function, NULL AS state, 0 AS n FROM fns WHERE name IS NOT NULL`;

/**
 * The asynchronous event queue in SQLite. Every write goes through a group committer: accepting
 * an event through `accepts` (at the configured durability: the 202 depends on it), everything
 * after through `updates` (process durability: an outcome lost to a power cut only makes the
 * event run again, which at-least-once allows). Claims are plain statements for the same reason.
 */
export class SqliteAsyncEventStore implements AsyncEventStore {
  readonly #insert;
  readonly #claim;
  readonly #nextDue;
  readonly #waitingFunctions;
  readonly #requeue;
  readonly #retry;
  readonly #finish;
  readonly #get;
  readonly #counts;
  readonly #countAll;
  readonly #replayOne;
  readonly #replayAll;
  readonly #prune;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly accepts: GroupCommitter,
    private readonly updates: GroupCommitter = accepts,
  ) {
    this.#insert = db.prepare(
      `INSERT INTO async_events (request_id, function, qualifier, payload, trace_id, state, enqueued_at, due_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
    );
    this.#claim = db.prepare<[number, string, number], Row>(
      `UPDATE async_events SET state = 'in-flight', updated_at = ?
       WHERE seq = (SELECT seq FROM async_events WHERE function = ? AND ${WAITING} AND due_at <= ?
                    ORDER BY due_at, seq LIMIT 1)
       RETURNING *`,
    );
    this.#nextDue = db.prepare<[string], { due: number | null }>(
      `SELECT min(due_at) AS due FROM async_events WHERE function = ? AND ${WAITING}`,
    );
    this.#waitingFunctions = db.prepare<[], { function: string; due: number }>(
      `SELECT function, min(due_at) AS due FROM async_events WHERE ${WAITING} GROUP BY function`,
    );
    this.#requeue = db.prepare(
      `UPDATE async_events SET state = CASE WHEN attempts > 0 OR backoffs > 0 THEN 'retrying' ELSE 'queued' END,
         due_at = ?, updated_at = ? WHERE state = 'in-flight'`,
    );
    this.#retry = db.prepare(
      `UPDATE async_events SET state = 'retrying', attempts = ?, backoffs = ?, due_at = ?, updated_at = ?,
         last_error = ?, last_status = ?, last_function_error = ?, last_response = ?
       WHERE seq = ? AND state = 'in-flight'`,
    );
    this.#finish = db.prepare(
      `UPDATE async_events SET state = ?, attempts = ?, condition = ?, due_at = ?, updated_at = ?,
         last_error = coalesce(?, last_error), last_status = coalesce(?, last_status),
         last_function_error = CASE WHEN ? THEN ? ELSE last_function_error END,
         last_response = CASE WHEN ? THEN ? ELSE last_response END,
         payload = CASE WHEN ? = 'succeeded' THEN x'' ELSE payload END
       WHERE seq = ? AND state = 'in-flight'`,
    );
    this.#get = db.prepare<[string, string], Row>(
      'SELECT * FROM async_events WHERE function = ? AND request_id = ?',
    );
    this.#counts = db.prepare<[string], { state: string; n: number }>(
      'SELECT state, count(*) AS n FROM async_events WHERE function = ? GROUP BY state',
    );
    this.#countAll = db.prepare<[], { function: string; state: string | null; n: number }>(COUNT_ALL_SQL);
    const replaySet = `state = 'queued', attempts = 0, backoffs = 0, enqueued_at = @now, due_at = @now,
      updated_at = @now, condition = NULL, last_error = NULL, last_status = NULL,
      last_function_error = NULL, last_response = NULL`;
    this.#replayOne = db.prepare<{ now: number; fn: string; id: string }, { request_id: string }>(
      `UPDATE async_events SET ${replaySet} WHERE function = @fn AND request_id = @id AND state = 'failed'
       RETURNING request_id`,
    );
    this.#replayAll = db.prepare<{ now: number; fn: string }, { request_id: string }>(
      `UPDATE async_events SET ${replaySet} WHERE function = @fn AND state = 'failed' RETURNING request_id`,
    );
    this.#prune = db.prepare(`DELETE FROM async_events WHERE state = 'succeeded' AND updated_at < ?`);
  }

  enqueue(e: NewAsyncEvent): Promise<void> {
    return this.accepts.run(() => {
      this.#insert.run(
        e.requestId,
        e.functionName,
        e.qualifier ?? null,
        e.payload,
        e.traceId ?? null,
        e.enqueuedAt,
        e.enqueuedAt,
        e.enqueuedAt,
      );
    });
  }

  async claimNext(functionName: string, now: number): Promise<AsyncEvent | undefined> {
    const row = this.#claim.get(now, functionName, now);
    return row && toEvent(row);
  }

  async nextDue(functionName: string): Promise<number | undefined> {
    return this.#nextDue.get(functionName)?.due ?? undefined;
  }

  async waitingFunctions(): Promise<{ functionName: string; dueAt: number }[]> {
    return this.#waitingFunctions.all().map((r) => ({ functionName: r.function, dueAt: r.due }));
  }

  requeueInFlight(now: number): Promise<number> {
    return this.updates.run(() => this.#requeue.run(now, now).changes);
  }

  retry(seq: number, r: AsyncRetry): Promise<void> {
    return this.updates.run(() => {
      const last = r.lastResponse;
      this.#retry.run(
        r.attempts,
        r.backoffs,
        r.dueAt,
        r.dueAt,
        r.lastError,
        last?.statusCode ?? null,
        last?.functionError ?? null,
        last?.payload ?? null,
        seq,
      );
    });
  }

  finish(seq: number, f: AsyncFinish): Promise<void> {
    return this.updates.run(() => {
      const last = f.lastResponse;
      const hasResponse = last ? 1 : 0;
      this.#finish.run(
        f.state,
        f.attempts,
        f.condition ?? null,
        f.at,
        f.at,
        f.lastError ?? null,
        last?.statusCode ?? null,
        hasResponse,
        last?.functionError ?? null,
        hasResponse,
        last?.payload ?? null,
        f.state,
        seq,
      );
    });
  }

  async list(functionName: string, q: AsyncEventQuery): Promise<AsyncEventSummary[]> {
    const states = q.states && q.states.length > 0 ? q.states : undefined;
    const params: unknown[] = [functionName, q.afterSeq ?? 0];
    let where = 'function = ? AND seq > ?';
    if (states) {
      where += ` AND state IN (${states.map(() => '?').join(', ')})`;
      params.push(...states);
    }
    params.push(q.limit);
    const rows = this.db
      .prepare(`SELECT ${SUMMARY_COLUMNS} FROM async_events WHERE ${where} ORDER BY seq LIMIT ?`)
      .all(...params) as SummaryRow[];
    return rows.map(toSummary);
  }

  async get(functionName: string, requestId: string): Promise<AsyncEvent | undefined> {
    const row = this.#get.get(functionName, requestId);
    return row && toEvent(row);
  }

  async countByState(functionName: string): Promise<Partial<Record<AsyncEventState, number>>> {
    return Object.fromEntries(this.#counts.all(functionName).map((r) => [r.state, r.n]));
  }

  async countAll(): Promise<{ functionName: string; counts: Partial<Record<AsyncEventState, number>> }[]> {
    const byFunction = new Map<string, Partial<Record<AsyncEventState, number>>>();
    for (const r of this.#countAll.all()) {
      const counts = byFunction.get(r.function) ?? {};
      if (r.state !== null) counts[r.state as AsyncEventState] = r.n;
      byFunction.set(r.function, counts);
    }
    return [...byFunction].map(([functionName, counts]) => ({ functionName, counts }));
  }

  replay(functionName: string, requestIds: readonly string[] | undefined, now: number): Promise<string[]> {
    return this.updates.run(() => {
      if (requestIds === undefined) {
        return this.#replayAll.all({ now, fn: functionName }).map((r) => r.request_id);
      }
      const done: string[] = [];
      for (const id of requestIds) {
        const r = this.#replayOne.get({ now, fn: functionName, id });
        if (r) done.push(r.request_id);
      }
      return done;
    });
  }

  pruneSucceeded(before: number): Promise<number> {
    return this.updates.run(() => this.#prune.run(before).changes);
  }

  async flush(): Promise<void> {
    await Promise.all([this.accepts.flush(), this.updates.flush()]);
  }
}

function toSummaryFields(r: Omit<Row, 'payload' | 'last_response'>) {
  return {
    seq: r.seq,
    requestId: r.request_id,
    functionName: r.function,
    ...(r.qualifier === null ? {} : { qualifier: r.qualifier }),
    ...(r.trace_id === null ? {} : { traceId: r.trace_id }),
    state: r.state as AsyncEventState,
    attempts: r.attempts,
    backoffs: r.backoffs,
    enqueuedAt: r.enqueued_at,
    dueAt: r.due_at,
    updatedAt: r.updated_at,
    ...(r.last_error === null ? {} : { lastError: r.last_error }),
    ...(r.condition === null ? {} : { condition: r.condition as AsyncCondition }),
  };
}

function toSummary(r: SummaryRow): AsyncEventSummary {
  return { ...toSummaryFields(r), payloadBytes: r.payload_bytes };
}

function toEvent(r: Row): AsyncEvent {
  const response: AsyncResponse | undefined =
    r.last_status === null
      ? undefined
      : {
          statusCode: r.last_status,
          ...(r.last_function_error === null ? {} : { functionError: r.last_function_error }),
          ...(r.last_response === null ? {} : { payload: r.last_response }),
        };
  return {
    ...toSummaryFields(r),
    payload: r.payload,
    payloadBytes: r.payload.length,
    ...(response ? { lastResponse: response } : {}),
  };
}
