import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../domain/clock.js';
import { silentLogger } from '../../observability/logger.js';
import { QueueService } from '../../queues/queue-service.js';
import { openDatabase, type SqliteDatabase } from '../../store/sqlite/database.js';
import { SqliteQueueStore } from '../../store/sqlite/queue-store.js';
import type { BatchOutcome } from '../esm/batch-invoker.js';
import type { Mapping } from '../esm/mapping.js';
import { SqsPoller } from './sqs-poller.js';

const scope = { region: 'us-east-1', accountId: '000000000000' };
let db: SqliteDatabase | undefined;
let poller: SqsPoller | undefined;
afterEach(async () => {
  await poller?.close();
  db?.close();
});

function setup(outcomes: BatchOutcome['kind'][]) {
  db = openDatabase(':memory:');
  const queues = new QueueService({ store: new SqliteQueueStore(db), clock: systemClock, scope });
  const calls: { at: number; payload: { Records: { body: string }[] } }[] = [];
  const results: string[] = [];
  const invoke = async (_ref: unknown, payload: Buffer): Promise<BatchOutcome> => {
    calls.push({ at: Date.now(), payload: JSON.parse(payload.toString()) });
    const kind = outcomes.shift() ?? 'ok';
    if (kind === 'ok') return { kind, payload: Buffer.from('null'), requestId: 'r' };
    if (kind === 'throttled') return { kind, message: 'Rate Exceeded.' };
    if (kind === 'function-error') return { kind, errorType: 'Error', errorMessage: 'boom', requestId: 'r' };
    return { kind: 'unavailable', errorType: 'ResourceNotFoundException', message: 'Function not found' };
  };
  const mapping: Mapping = {
    uuid: 'u',
    kind: 'sqs',
    functionName: 'f',
    eventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:q',
    batchSize: 10,
    maximumBatchingWindowInSeconds: 0,
    enabled: true,
    functionResponseTypes: [],
    state: 'Enabled',
    stateTransitionReason: 'USER_INITIATED',
    lastModified: 0,
  };
  const start = () => {
    poller = new SqsPoller(mapping, {
      queues,
      invoke,
      clock: systemClock,
      log: silentLogger,
      checkpoint: { load: async () => undefined, save: async () => undefined },
      defaultMaxConcurrency: 4,
      onProcessingResult: (r) => results.push(r),
    });
    return poller;
  };
  return { queues, calls, results, start };
}

const waitFor = async (check: () => Promise<boolean> | boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('SQS poller', () => {
  it('backs off on throttles and retries the same batch while it is still invisible', async () => {
    const t = setup(['throttled', 'throttled', 'ok']);
    await t.queues.createQueue('q');
    await t.queues.send('q', { body: 'hello' });
    t.start();
    await waitFor(async () => {
      const st = await t.queues.stats('q');
      return st.inFlight + st.visible === 0;
    });
    expect(t.calls.map((c) => c.payload.Records[0]!.body)).toEqual(['hello', 'hello', 'hello']);
    expect(t.calls[1]!.at - t.calls[0]!.at).toBeGreaterThanOrEqual(95);
    expect(t.calls[2]!.at - t.calls[1]!.at).toBeGreaterThanOrEqual(195);
    expect(t.results).toEqual(['PROBLEM: Function throttled: Rate Exceeded.', 'OK']);
  });

  it('leaves a failed batch in flight for the visibility timeout', async () => {
    const t = setup(['function-error']);
    await t.queues.createQueue('q', { VisibilityTimeout: '30' });
    await t.queues.send('q', { body: 'hello' });
    const p = t.start();
    await waitFor(() => t.calls.length === 1);
    await waitFor(async () => (await p.status()).lastError !== undefined);
    expect((await t.queues.stats('q')).inFlight).toBe(1);
    expect((await p.status()).lastProcessingResult).toBe('PROBLEM: Function call failed: Error: boom');
  });

  it('close() ends the long poll at once', async () => {
    const t = setup([]);
    await t.queues.createQueue('q');
    const p = t.start();
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await p.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(p.workers).toBe(0);
  });
});
