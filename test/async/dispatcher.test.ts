import { afterEach, describe, expect, it } from 'vitest';
import { LambdaError } from '../../src/domain/errors.js';
import { arnOf, DispatcherHarness, throttle } from './dispatcher-harness.js';

const MINUTE = 60_000;
let h: DispatcherHarness;
afterEach(() => h?.close());

async function harness(functions: string[], o: { concurrency?: number } = {}) {
  h = new DispatcherHarness(functions, o);
  await h.start();
  return h;
}

describe('retries after function errors', () => {
  it('attempts an always-failing function exactly 1 + 2 times, 1 then 2 minutes apart, then OnFailure gets the record', async () => {
    await harness(['fails']);
    h.behaviours.set('fails', () => ({ error: 'always' }));
    await h.configure('fails', { onFailure: arnOf('sink') });
    const t0 = h.clock.now();
    const id = await h.send('fails', { order: 7 });
    await h.advance(10 * MINUTE);

    const calls = h.callsOf('fails');
    expect(calls.map((c) => c.at - t0)).toEqual([0, MINUTE, 3 * MINUTE]);
    expect(calls.every((c) => c.requestId === id)).toBe(true);
    expect(h.deliveries).toHaveLength(1);
    expect(h.deliveries[0]).toEqual({
      arn: arnOf('sink'),
      at: t0 + 3 * MINUTE,
      body: {
        version: '1.0',
        timestamp: new Date(t0 + 3 * MINUTE).toISOString(),
        requestContext: {
          requestId: id,
          functionArn: arnOf('fails', '$LATEST'),
          condition: 'RetriesExhausted',
          approximateInvokeCount: 3,
        },
        requestPayload: { order: 7 },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        responsePayload: { errorType: 'Error', errorMessage: 'always', trace: [] },
      },
    });
    const stored = await h.event('fails', id);
    expect(stored).toMatchObject({
      state: 'failed',
      attempts: 3,
      condition: 'RetriesExhausted',
      lastError: 'Unhandled: Error: always',
    });
    expect(stored?.payload.toString()).toBe('{"order":7}');
  });

  it('honours MaximumRetryAttempts 0 and 1', async () => {
    await harness(['zero', 'one']);
    h.behaviours.set('zero', () => ({ error: 'x' }));
    h.behaviours.set('one', () => ({ error: 'x' }));
    await h.configure('zero', { maximumRetryAttempts: 0 });
    await h.configure('one', { maximumRetryAttempts: 1 });
    await h.send('zero', {});
    await h.send('one', {});
    await h.advance(10 * MINUTE);
    expect(h.callsOf('zero')).toHaveLength(1);
    expect(h.callsOf('one')).toHaveLength(2);
  });

  it('sends a function that fails once then succeeds to OnSuccess, with approximateInvokeCount 2', async () => {
    await harness(['flaky']);
    let n = 0;
    h.behaviours.set('flaky', (c) => (++n === 1 ? { error: 'first time' } : { ok: { done: c.payload } }));
    await h.configure('flaky', { onSuccess: arnOf('ok-sink'), onFailure: arnOf('bad-sink') });
    const t0 = h.clock.now();
    const id = await h.send('flaky', { k: 'v' });
    await h.advance(5 * MINUTE);
    expect(h.callsOf('flaky').map((c) => c.at - t0)).toEqual([0, MINUTE]);
    expect(h.deliveries.map((d) => d.arn)).toEqual([arnOf('ok-sink')]);
    expect(h.deliveries[0]?.body).toEqual({
      version: '1.0',
      timestamp: new Date(t0 + MINUTE).toISOString(),
      requestContext: {
        requestId: id,
        functionArn: arnOf('flaky', '$LATEST'),
        condition: 'Success',
        approximateInvokeCount: 2,
      },
      requestPayload: { k: 'v' },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      responsePayload: { done: { k: 'v' } },
    });
    const stored = await h.event('flaky', id);
    expect(stored).toMatchObject({ state: 'succeeded', attempts: 2, condition: 'Success' });
    expect(stored?.payload.length).toBe(0);
  });
});

describe('event age', () => {
  it('ends with EventAgeExceeded when the next attempt would come after MaximumEventAgeInSeconds', async () => {
    await harness(['slow-fail']);
    h.behaviours.set('slow-fail', () => ({ error: 'nope' }));
    await h.configure('slow-fail', { maximumEventAgeInSeconds: 90, onFailure: arnOf('sink') });
    const t0 = h.clock.now();
    const id = await h.send('slow-fail', { a: 1 });
    await h.advance(10 * MINUTE);
    // Attempt 1 at 0; attempt 2 at 60 s; attempt 3 would be at 180 s > 90 s: checked at 90 s.
    expect(h.callsOf('slow-fail').map((c) => c.at - t0)).toEqual([0, MINUTE]);
    expect(h.deliveries).toHaveLength(1);
    expect(h.deliveries[0]?.at).toBe(t0 + 90_000);
    expect(h.deliveries[0]?.body).toMatchObject({
      requestContext: { requestId: id, condition: 'EventAgeExceeded', approximateInvokeCount: 2 },
      responseContext: { statusCode: 200, functionError: 'Unhandled' },
      responsePayload: { errorMessage: 'nope' },
    });
  });

  it('expires events that waited for concurrency too long, without running them', async () => {
    await harness(['busy', 'late'], { concurrency: 1 });
    let release: () => void = () => undefined;
    h.behaviours.set('busy', () => new Promise((r) => (release = () => r({ ok: 1 }))));
    await h.configure('late', { maximumEventAgeInSeconds: 60, onFailure: arnOf('sink') });
    await h.send('busy', {});
    const id = await h.send('late', {});
    await h.advance(2 * MINUTE);
    expect(h.callsOf('late')).toHaveLength(0);
    release();
    await h.advance(1_000);
    expect(h.callsOf('late')).toHaveLength(0);
    expect(h.deliveries[0]?.body).toMatchObject({
      requestContext: { requestId: id, condition: 'EventAgeExceeded', approximateInvokeCount: 0 },
    });
    expect((h.deliveries[0]!.body as { responseContext: unknown }).responseContext).toEqual({});
  });
});

describe('throttles and platform errors', () => {
  it('back off 1 s, 2 s, 4 s ... without using up attempts', async () => {
    await harness(['throttled']);
    let n = 0;
    h.behaviours.set('throttled', () => (++n <= 4 ? { throws: throttle() } : { error: 'then a real error' }));
    await h.configure('throttled', { maximumRetryAttempts: 0 });
    const t0 = h.clock.now();
    const id = await h.send('throttled', {});
    await h.advance(MINUTE);
    expect(h.callsOf('throttled').map((c) => c.at - t0)).toEqual([0, 1_000, 3_000, 7_000, 15_000]);
    expect(await h.event('throttled', id)).toMatchObject({
      state: 'failed',
      attempts: 1,
      backoffs: 4,
      condition: 'RetriesExhausted',
    });
  });

  it('caps the backoff at 5 minutes and keeps trying until the event is too old', async () => {
    await harness(['down']);
    h.behaviours.set('down', () => ({ throws: new LambdaError('ServiceException', 'sandbox failed') }));
    await h.configure('down', { maximumEventAgeInSeconds: 1_800, onFailure: arnOf('sink') });
    const t0 = h.clock.now();
    await h.send('down', {});
    await h.advance(60 * MINUTE);
    const gaps = h.callsOf('down').map((c, i, all) => (i === 0 ? 0 : c.at - all[i - 1]!.at));
    expect(gaps.slice(1, 10)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256].map((s) => s * 1000));
    expect(Math.max(...gaps)).toBe(300_000);
    expect(h.deliveries[0]).toMatchObject({
      at: t0 + 1_800_000,
      body: {
        requestContext: { condition: 'EventAgeExceeded', approximateInvokeCount: 0 },
        responseContext: { statusCode: 500 },
      },
    });
  });
});

describe('reserved concurrency 0', () => {
  it('sends events straight to the failure path without running them', async () => {
    await harness(['off']);
    h.reserved.set('off', 0);
    h.deadLetters.set('off', 'arn:aws:sqs:us-east-1:000000000000:dlq');
    await h.configure('off', { onFailure: arnOf('sink') });
    const id = await h.send('off', { x: 1 });
    await h.advance(1_000);
    expect(h.callsOf('off')).toHaveLength(0);
    expect(h.deliveries.map((d) => d.arn)).toEqual([arnOf('sink'), 'arn:aws:sqs:us-east-1:000000000000:dlq']);
    expect(h.deliveries[0]?.body).toMatchObject({
      requestContext: { requestId: id, condition: 'RetriesExhausted', approximateInvokeCount: 0 },
      responseContext: { statusCode: 429 },
    });
  });
});

describe('dead-letter queue and destinations that disappear', () => {
  it('gives the dead-letter queue the original event with RequestID, ErrorCode and ErrorMessage', async () => {
    await harness(['dlq-fn']);
    h.behaviours.set('dlq-fn', () => ({ error: 'x'.repeat(2_000) }));
    h.deadLetters.set('dlq-fn', 'arn:aws:sqs:us-east-1:000000000000:dlq');
    await h.configure('dlq-fn', { maximumRetryAttempts: 0 });
    const id = await h.send('dlq-fn', { original: true });
    await h.advance(1_000);
    expect(h.deliveries).toEqual([
      {
        arn: 'arn:aws:sqs:us-east-1:000000000000:dlq',
        at: expect.any(Number),
        body: { original: true },
        attributes: { RequestID: id, ErrorCode: 200, ErrorMessage: 'x'.repeat(1_024) },
      },
    ]);
  });

  it('keeps a succeeded event as failed, with the reason, when its OnSuccess destination is gone', async () => {
    await harness(['fine']);
    await h.configure('fine', { onSuccess: arnOf('deleted') });
    h.goneDestinations.add(arnOf('deleted'));
    const id = await h.send('fine', { keep: 'me' });
    await h.advance(1_000);
    const stored = await h.event('fine', id);
    expect(stored).toMatchObject({ state: 'failed', condition: 'Success', attempts: 1 });
    expect(stored?.lastError).toContain(`OnSuccess destination ${arnOf('deleted')}`);
    expect(stored?.payload.toString()).toBe('{"keep":"me"}');
  });
});

describe('scheduling', () => {
  it('never runs more than the account concurrency at once', async () => {
    await harness(['many'], { concurrency: 3 });
    const pending: (() => void)[] = [];
    h.behaviours.set('many', () => new Promise((r) => pending.push(() => r({ ok: 1 }))));
    for (let i = 0; i < 10; i++) await h.send('many', { i });
    expect(h.callsOf('many')).toHaveLength(3);
    while (pending.length > 0) {
      pending.shift()!();
      await h.settle();
    }
    expect(h.callsOf('many')).toHaveLength(10);
    expect(h.maxConcurrentSeen).toBe(3);
  });

  it('serves functions round-robin: a flooded function does not starve another', async () => {
    await harness(['flood', 'quiet'], { concurrency: 1 });
    const pending: (() => void)[] = [];
    const slow = () => new Promise<{ ok: number }>((r) => pending.push(() => r({ ok: 1 })));
    h.behaviours.set('flood', slow);
    h.behaviours.set('quiet', slow);
    for (let i = 0; i < 50; i++) await h.send('flood', { i });
    for (let i = 0; i < 3; i++) await h.send('quiet', { q: i });
    for (let i = 0; i < 8 && pending.length > 0; i++) {
      pending.shift()!();
      await h.settle();
    }
    // flood #0 was running when quiet's events arrived; from then on the two take turns, and
    // once quiet has nothing left, flood has every slot.
    expect(h.calls.map((c) => c.functionName).slice(0, 9)).toEqual([
      'flood',
      'quiet',
      'flood',
      'quiet',
      'flood',
      'quiet',
      'flood',
      'flood',
      'flood',
    ]);
  });

  it('runs events of one function in arrival order', async () => {
    await harness(['fifo'], { concurrency: 1 });
    for (let i = 0; i < 5; i++) await h.send('fifo', { i });
    await h.advance(1_000);
    expect(h.callsOf('fifo').map((c) => (c.payload as { i: number }).i)).toEqual([0, 1, 2, 3, 4]);
  });

  it('runs again, with the same request id, an event that was in flight when the server stopped', async () => {
    await harness(['interrupted']);
    h.behaviours.set('interrupted', () => new Promise(() => undefined));
    const id = await h.send('interrupted', { once: 'more' });
    expect(h.callsOf('interrupted')).toHaveLength(1);
    expect((await h.event('interrupted', id))?.state).toBe('in-flight');
    h.behaviours.set('interrupted', () => ({ ok: 'done' }));
    await h.restart();
    await h.advance(1_000);
    expect(h.callsOf('interrupted').map((c) => c.requestId)).toEqual([id, id]);
    expect(await h.event('interrupted', id)).toMatchObject({ state: 'succeeded', attempts: 1 });
  });

  it('replays failed events as new ones with the same request id', async () => {
    await harness(['replayed']);
    let fail = true;
    h.behaviours.set('replayed', () => (fail ? { error: 'broken' } : { ok: 'fixed' }));
    await h.configure('replayed', { maximumRetryAttempts: 0 });
    const a = await h.send('replayed', { n: 1 });
    const b = await h.send('replayed', { n: 2 });
    await h.advance(1_000);
    expect((await h.event('replayed', a))?.state).toBe('failed');
    fail = false;
    expect(await h.queue.replay('replayed', [a, 'not-an-id'])).toEqual([a]);
    await h.advance(1_000);
    expect(await h.event('replayed', a)).toMatchObject({ state: 'succeeded', attempts: 1 });
    expect((await h.event('replayed', b))?.state).toBe('failed');
    expect(await h.queue.replay('replayed')).toEqual([b]);
    await h.advance(1_000);
    expect((await h.event('replayed', b))?.state).toBe('succeeded');
    expect(h.callsOf('replayed').map((c) => c.requestId)).toEqual([a, b, a, b]);
  });
});
