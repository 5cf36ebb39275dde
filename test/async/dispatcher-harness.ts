import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsyncDispatcher } from '../../src/async/dispatcher.js';
import { EventQueue } from '../../src/async/event-queue.js';
import type { DestinationMessage } from '../../src/async/ports.js';
import { RetryPolicy } from '../../src/async/retry-policy.js';
import { functionArn } from '../../src/domain/arn.js';
import { type EventInvokeConfig, effectiveConfig } from '../../src/domain/async-invoke.js';
import { LambdaError } from '../../src/domain/errors.js';
import { ConcurrencyLimiter } from '../../src/invoke/concurrency.js';
import type { InvokeRequest, InvokeResponse } from '../../src/invoke/invoke-service.js';
import type { ResolvedFunction } from '../../src/registry/function-registry.js';
import { SqliteAsyncEventStore } from '../../src/store/sqlite/async-event-store.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/sqlite/database.js';
import { SqliteEventInvokeConfigStore } from '../../src/store/sqlite/event-invoke-config-store.js';
import { GroupCommitter } from '../../src/store/sqlite/group-commit.js';
import { FakeClock, settleIo } from '../support/fake-clock.js';

const SCOPE = { region: 'us-east-1', accountId: '000000000000' };
export const arnOf = (name: string, qualifier?: string) => functionArn(SCOPE, name, qualifier);

/** What a fake function does on an attempt: answer (ok or error), throw (throttle...), or hang. */
export type Behaviour = (call: InvokeCall) => InvokeOutcome | Promise<InvokeOutcome>;
export type InvokeOutcome = { ok: unknown } | { error: string } | { throws: unknown };

export interface InvokeCall {
  functionName: string;
  requestId: string;
  payload: unknown;
  at: number;
}

export interface Delivery {
  arn: string;
  body: unknown;
  attributes?: DestinationMessage['attributes'];
  at: number;
}

/**
 * A dispatcher over a real SQLite queue, with a fake clock, fake functions (behaviours) and
 * captured destination deliveries: retry timings are exact, nothing sleeps.
 */
export class DispatcherHarness {
  readonly clock = new FakeClock();
  readonly calls: InvokeCall[] = [];
  readonly deliveries: Delivery[] = [];
  readonly behaviours = new Map<string, Behaviour>();
  readonly reserved = new Map<string, number>();
  readonly deadLetters = new Map<string, string>();
  /** Destination ARNs whose delivery fails (the target was deleted). */
  readonly goneDestinations = new Set<string>();
  maxConcurrentSeen = 0;
  #concurrent = 0;
  readonly dir = mkdtempSync(join(tmpdir(), 'nimbus-dispatch-'));
  db: SqliteDatabase;
  store!: SqliteAsyncEventStore;
  configs!: SqliteEventInvokeConfigStore;
  queue!: EventQueue;
  dispatcher!: AsyncDispatcher;
  readonly concurrency: ConcurrencyLimiter;

  constructor(
    functions: string[],
    readonly o: { concurrency?: number; scale?: number } = {},
  ) {
    this.db = openDatabase(join(this.dir, 'nimbus.db'));
    const insert = this.db.prepare('INSERT INTO functions (name, tags, created_at) VALUES (?, ?, 0)');
    for (const f of functions) insert.run(f, '{}');
    this.concurrency = new ConcurrencyLimiter(o.concurrency ?? 10);
    this.#build();
  }

  #build(): void {
    this.store = new SqliteAsyncEventStore(this.db, new GroupCommitter(this.db, 'process'));
    this.configs = new SqliteEventInvokeConfigStore(this.db);
    this.dispatcher = new AsyncDispatcher({
      store: this.store,
      config: async (name, qualifier) =>
        effectiveConfig(await this.configs.get(name, qualifier ?? '$LATEST')),
      invoke: (req) => this.#invoke(req),
      acquire: (name) => this.concurrency.acquire(name),
      reserved: { reservedFor: (name) => this.reserved.get(name) },
      send: async (arn, m) => {
        if (this.goneDestinations.has(arn)) throw new Error(`the function ${arn} does not exist (any more)`);
        this.deliveries.push({
          arn,
          body: JSON.parse(m.body.toString('utf8')),
          ...(m.attributes ? { attributes: m.attributes } : {}),
          at: this.clock.now(),
        });
      },
      deadLetterTarget: async (name) => this.deadLetters.get(name),
      functionArn: arnOf,
      policy: new RetryPolicy(this.o.scale ?? 1),
      clock: this.clock,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      shutdownGraceMs: 0,
    });
    this.queue = new EventQueue({
      store: this.store,
      check: async (ref) =>
        ({ version: { name: ref.name }, invokedArn: arnOf(ref.name, ref.qualifier) }) as ResolvedFunction,
      clock: this.clock,
      onDue: (name, at) => this.dispatcher.due(name, at),
    });
  }

  async start(): Promise<void> {
    await this.dispatcher.start();
    await this.settle();
  }

  async configure(functionName: string, c: Partial<EventInvokeConfig>): Promise<void> {
    await this.configs.put({ functionName, qualifier: '$LATEST', lastModified: this.clock.now(), ...c });
  }

  async send(functionName: string, payload: unknown): Promise<string> {
    const id = await this.queue.invokeAsync({
      ref: { name: functionName },
      payload: Buffer.from(JSON.stringify(payload)),
    });
    await this.settle();
    return id;
  }

  settle = (): Promise<void> => settleIo(30);

  advance(ms: number): Promise<void> {
    return this.clock.advance(ms, this.settle);
  }

  callsOf(functionName: string): InvokeCall[] {
    return this.calls.filter((c) => c.functionName === functionName);
  }

  async event(functionName: string, requestId: string) {
    await this.store.flush();
    return this.store.get(functionName, requestId);
  }

  /** A new dispatcher on the same database, as after a server restart. */
  async restart(): Promise<void> {
    await this.dispatcher.close();
    this.#build();
    await this.start();
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
    this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async #invoke(req: InvokeRequest): Promise<InvokeResponse> {
    const call: InvokeCall = {
      functionName: req.ref.name,
      requestId: req.requestId ?? '',
      payload: JSON.parse(req.payload.toString('utf8')),
      at: this.clock.now(),
    };
    this.calls.push(call);
    this.#concurrent++;
    this.maxConcurrentSeen = Math.max(this.maxConcurrentSeen, this.#concurrent);
    try {
      const behaviour = this.behaviours.get(call.functionName) ?? (() => ({ ok: null }));
      const outcome = await behaviour(call);
      if ('throws' in outcome) throw outcome.throws;
      const payload = Buffer.from(
        JSON.stringify(
          'ok' in outcome ? outcome.ok : { errorType: 'Error', errorMessage: outcome.error, trace: [] },
        ),
      );
      return {
        requestId: call.requestId,
        executedVersion: '$LATEST',
        payload,
        ...('error' in outcome ? { functionError: 'Unhandled' as const, errorType: 'Error' } : {}),
      } as InvokeResponse;
    } finally {
      this.#concurrent--;
    }
  }
}

export const throttle = () =>
  new LambdaError('TooManyRequestsException', 'Rate Exceeded.', {
    reason: 'ConcurrentInvocationLimitExceeded',
  });
