import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from '../../src/invoke/concurrency.js';
import { HostLoad } from '../../src/sandbox/host-load.js';
import { HistogramKeepAlive } from '../../src/sandbox/keep-alive.js';
import { OutputThrottle } from '../../src/sandbox/output-throttle.js';
import { StartGate } from '../../src/sandbox/start-gate.js';
import { ManualClock } from '../support/manual-clock.js';

describe('adaptive keep-alive (hybrid histogram, ATC’20)', () => {
  const idle = (k: HistogramKeepAlive, clock: ManualClock, fn: string, gapMs: number) => {
    k.wentIdle(fn);
    clock.advance(gapMs);
    k.arrived(fn);
  };

  it('uses the fixed timeout until it has seen enough idle times', () => {
    const clock = new ManualClock();
    const k = new HistogramKeepAlive(300_000, clock);
    for (let i = 0; i < 9; i++) idle(k, clock, 'f', 10 * 60_000);
    expect(k.describe('f')).toEqual({ keepAliveMs: 300_000, basis: 'fixed', samples: 9 });
  });

  it('keeps a function called every 10 minutes warm for 11, and releases a busy one after ~1', () => {
    const clock = new ManualClock();
    const k = new HistogramKeepAlive(300_000, clock);
    for (let i = 0; i < 20; i++) idle(k, clock, 'every-10-min', 10 * 60_000 + 5_000);
    for (let i = 0; i < 20; i++) idle(k, clock, 'every-5-s', 5_000);
    expect(k.keepAliveMs('every-10-min')).toBe(Math.round(11 * 60_000 * 1.1));
    expect(k.keepAliveMs('every-5-s')).toBe(Math.round(60_000 * 1.1));
    expect(k.describe('every-5-s').basis).toBe('histogram');
  });

  it('takes the 99th percentile, and falls back when idle times are mostly beyond four hours', () => {
    const clock = new ManualClock();
    const k = new HistogramKeepAlive(300_000, clock);
    for (let i = 0; i < 99; i++) idle(k, clock, 'f', 30_000);
    idle(k, clock, 'f', 50 * 60_000);
    expect(k.keepAliveMs('f')).toBe(Math.round(60_000 * 1.1));
    for (let i = 0; i < 20; i++) idle(k, clock, 'rare', 5 * 3_600_000);
    expect(k.keepAliveMs('rare')).toBe(300_000);
  });
});

describe('start gate', () => {
  it('lets max starts run and hands freed places on in order, skipping pools that no longer need one', () => {
    const gate = new StartGate(2);
    expect([gate.tryEnter(), gate.tryEnter(), gate.tryEnter()]).toEqual([true, true, false]);
    const order: string[] = [];
    gate.whenFree(() => order.push('a (no longer needs one)'));
    gate.whenFree(() => {
      if (gate.tryEnter()) order.push('b started');
    });
    gate.leave();
    expect(order).toEqual(['a (no longer needs one)', 'b started']);
    expect(gate.running).toBe(2);
  });
});

describe('output throttle', () => {
  it('pauses a stream past its budget and resumes it when the budget refills', () => {
    const clock = new ManualClock();
    const stream = new PassThrough();
    stream.on('data', () => {});
    const t = new OutputThrottle(clock, [stream], 1000, 2000);
    t.consumed(1500);
    expect(t.paused).toBe(false);
    t.consumed(1500);
    expect([t.paused, stream.isPaused()]).toEqual([true, true]);
    clock.advance(999);
    expect(t.paused).toBe(true);
    clock.advance(1);
    expect([t.paused, stream.isPaused()]).toEqual([false, false]);
  });
});

describe('concurrency limiter', () => {
  it('carves reservations out of the account limit and counts throttles per function', () => {
    const l = new ConcurrencyLimiter(102);
    expect(l.unreservedMinimum).toBe(100);
    expect(() => l.checkReservation('a', 3)).toThrow(/below its minimum value of \[100\]/);
    l.checkReservation('a', 2);
    l.setReserved('a', 2);
    expect([l.unreservedLimit, l.available('a'), l.available('b')]).toEqual([100, 2, 100]);
    const releases = [l.acquire('a'), l.acquire('a')];
    expect(() => l.acquire('a')).toThrow('Rate Exceeded.');
    expect(l.throttlesFor('a')).toBe(1);
    // The unreserved pool is not touched by the reserved function.
    for (let i = 0; i < 100; i++) l.acquire('b');
    let thrown: unknown;
    try {
      l.acquire('c');
    } catch (e) {
      thrown = e;
    }
    expect((thrown as { details?: { reason: string } }).details?.reason).toBe(
      'ConcurrentInvocationLimitExceeded',
    );
    for (const r of releases) r();
    expect(l.available('a')).toBe(2);
    l.setReserved('z', 0);
    expect([l.isFullyThrottled('z'), l.isFullyThrottled('a'), l.isFullyThrottled('b')]).toEqual([
      true,
      false,
      false,
    ]);
  });
});

describe('concurrency limiter and provisioned concurrency', () => {
  it('runs only the provisioned version on its share; other versions and versionless slots use the unreserved pool', () => {
    const l = new ConcurrencyLimiter(102);
    l.setProvisioned('f', 2, new Map([['1', 2]]));
    expect(l.unreservedLimit).toBe(100);
    expect([l.available('f'), l.available('f', '1'), l.available('f', '$LATEST')]).toEqual([100, 102, 100]);
    const latest = Array.from({ length: 100 }, () => l.acquire('f', '$LATEST'));
    expect(() => l.acquire('f', '2')).toThrow('Rate Exceeded.');
    const v1 = [l.acquire('f', '1'), l.acquire('f', '1')];
    // Beyond its share, version 1 spills over to the unreserved pool, which is full.
    expect(() => l.acquire('f', '1')).toThrow('Rate Exceeded.');
    expect(l.acquireProvisioned('f', '1')).toBeUndefined();
    expect([l.inFlight, l.throttlesFor('f')]).toEqual([102, 2]);
    v1[0]!();
    latest[0]!();
    // An asynchronous event's slot, taken before its version is known, comes from the pool ...
    const early = l.acquire('f');
    expect(l.available('f')).toBe(0);
    // ... and moves onto the version's share once the version is known.
    const moved = l.acquireProvisioned('f', '1');
    expect(moved).toBeDefined();
    early();
    expect([l.available('f'), l.available('f', '1'), l.inFlight]).toEqual([1, 1, 101]);
    // A reservation takes over: provisioned concurrency counts within it.
    l.setReserved('f', 101);
    expect(l.acquireProvisioned('f', '1')).toBeUndefined();
  });
});

describe('host load', () => {
  it('says the host is saturated when its CPUs were at least 90% busy over the last interval', () => {
    const clock = new ManualClock();
    let times = { idle: 0, total: 0 };
    const load = new HostLoad(clock, 100, () => times);
    times = { idle: 50, total: 200 };
    clock.advance(100);
    expect([load.busy, load.saturated]).toEqual([0.75, false]);
    times = { idle: 55, total: 400 };
    clock.advance(100);
    expect([load.busy, load.saturated]).toEqual([0.975, true]);
    load.close();
    times = { idle: 400, total: 800 };
    clock.advance(100);
    expect(load.busy).toBe(0.975);
  });
});
