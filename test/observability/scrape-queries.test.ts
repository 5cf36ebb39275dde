import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/observability/metrics.js';
import type { NewMessage } from '../../src/queues/queue-model.js';
import { QueueService } from '../../src/queues/queue-service.js';
import { COUNT_ALL_SQL, SqliteAsyncEventStore } from '../../src/store/sqlite/async-event-store.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/sqlite/database.js';
import { GroupCommitter } from '../../src/store/sqlite/group-commit.js';
import { QUEUE_STATS_SQL, SqliteQueueStore } from '../../src/store/sqlite/queue-store.js';
import { FakeClock } from '../support/fake-clock.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const RETENTION_MS = 4 * 86_400_000;
const scope = { region: 'us-east-1', accountId: '000000000000' };

function message(id: string, sentAt: number, visibleAt: number): NewMessage {
  return {
    messageId: id,
    body: `body ${id}`,
    attributes: {},
    systemAttributes: {},
    md5OfBody: 'md5',
    senderId: 'tester',
    sentAt,
    visibleAt,
  };
}

/** The lines of EXPLAIN QUERY PLAN that read `table`, and whether any reads the table itself. */
function plan(db: SqliteDatabase, sql: string, params: Record<string, number>, table: string) {
  const lines = db
    .prepare<Record<string, number>, { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
    .all(params)
    .map((r) => r.detail)
    .filter((d) => d.includes(` ${table}`));
  return lines;
}

describe('what a /metrics scrape reads', () => {
  let dir: string;
  let db: SqliteDatabase;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nimbus-scrape-'));
    db = openDatabase(join(dir, 'nimbus.db'));
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts a queue by visibility from covering indexes, without reading message rows', async () => {
    const store = new SqliteQueueStore(db);
    const q = (await store.createQueue({
      name: 'counted',
      fifo: false,
      attributes: {},
      tags: {},
      createdAt: NOW,
      modifiedAt: NOW,
    }))!;
    const other = (await store.createQueue({
      name: 'other',
      fifo: false,
      attributes: {},
      tags: {},
      createdAt: NOW,
      modifiedAt: NOW,
    }))!;
    const expired = NOW - RETENTION_MS - 1_000;
    // 4 visible (oldest sent at NOW-50s), 2 delayed, 3 to receive (in flight), 2 expired but not deleted yet.
    await store.send(
      q.id,
      [
        message('r1', NOW - 90_000, NOW - 90_000),
        message('r2', NOW - 80_000, NOW - 80_000),
        message('r3', NOW - 70_000, NOW - 70_000),
      ],
      0,
    );
    const received = await store.receive({
      queueId: q.id,
      now: NOW - 60_000,
      max: 3,
      visibilityMs: 120_000,
      retentionMs: RETENTION_MS,
      fifo: false,
    });
    expect(received).toHaveLength(3);
    await store.send(
      q.id,
      [
        message('v1', NOW - 50_000, NOW - 50_000),
        message('v2', NOW - 40_000, NOW - 40_000),
        message('v3', NOW - 30_000, NOW),
        message('v4', NOW - 20_000, NOW - 20_000),
        message('d1', NOW - 10_000, NOW + 5_000),
        message('d2', NOW - 5_000, NOW + 60_000),
        message('x1', expired, expired),
        message('x2', expired, NOW + 1_000),
      ],
      0,
    );
    await store.send(other.id, [message('o1', NOW - 100_000, NOW - 100_000)], 0);

    expect(await store.stats(q.id, NOW, RETENTION_MS)).toEqual({
      visible: 4,
      inFlight: 3,
      delayed: 2,
      oldestSentAt: NOW - 90_000,
      oldestVisibleSentAt: NOW - 50_000,
    });
    // Once the in-flight messages time out they are visible again, and the oldest of all.
    expect(await store.stats(q.id, NOW + 61_000, RETENTION_MS)).toEqual({
      visible: 9,
      inFlight: 0,
      delayed: 0,
      oldestSentAt: NOW - 90_000,
      oldestVisibleSentAt: NOW - 90_000,
    });
    expect(await store.stats(other.id, NOW, RETENTION_MS)).toEqual({
      visible: 1,
      inFlight: 0,
      delayed: 0,
      oldestSentAt: NOW - 100_000,
      oldestVisibleSentAt: NOW - 100_000,
    });

    const lines = plan(
      db,
      QUEUE_STATS_SQL,
      { now: NOW, queueId: q.id, expired: NOW - RETENTION_MS },
      'sqs_messages',
    );
    expect(lines.length).toBe(7);
    for (const line of lines) expect(line).toMatch(/^SEARCH sqs_messages USING COVERING INDEX /);
  });

  it('counts live asynchronous events from an index that leaves succeeded events out', async () => {
    const insertFn = db.prepare('INSERT INTO functions (name, tags, created_at) VALUES (?, ?, 0)');
    for (const f of ['busy', 'done', 'idle']) insertFn.run(f, '{}');
    const store = new SqliteAsyncEventStore(db, new GroupCommitter(db, 'process'));
    const insert = db.prepare(
      `INSERT INTO async_events (request_id, function, payload, state, enqueued_at, due_at, updated_at)
       VALUES (?, ?, x'', ?, 0, 0, 0)`,
    );
    const rows: [string, string, string][] = [
      ['b1', 'busy', 'queued'],
      ['b2', 'busy', 'queued'],
      ['b3', 'busy', 'in-flight'],
      ['b4', 'busy', 'failed'],
      ['b5', 'busy', 'succeeded'],
      ['b6', 'busy', 'succeeded'],
      ['d1', 'done', 'succeeded'],
      ['d2', 'done', 'succeeded'],
    ];
    for (const r of rows) insert.run(...r);

    const counts = await store.countAll();
    expect(counts.sort((a, b) => a.functionName.localeCompare(b.functionName))).toEqual([
      { functionName: 'busy', counts: { queued: 2, 'in-flight': 1, failed: 1 } },
      // Only succeeded events: still listed, so its gauges read 0 rather than vanish.
      { functionName: 'done', counts: {} },
    ]);

    const lines = plan(db, COUNT_ALL_SQL, {}, 'async_events');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      // Either one lookup per function, or the partial index of live events: never the table.
      expect(line).toMatch(
        /^(SEARCH async_events USING COVERING INDEX |SCAN async_events USING COVERING INDEX async_events_live$)/,
      );
    }
  });

  it('computes what several gauges share once per scrape', async () => {
    const metrics = new Metrics();
    let computed = 0;
    const shared = (scrape: { once<T>(k: string, f: () => Promise<T>): Promise<T> }) =>
      scrape.once('shared', async () => {
        computed++;
        return 7;
      });
    metrics.gauge('test_first', 'first', ['n'], async (set, scrape) => set({ n: 'a' }, await shared(scrape)));
    metrics.gauge('test_second', 'second', ['n'], async (set, scrape) => {
      await Promise.resolve();
      set({ n: 'b' }, (await shared(scrape)) + 1);
    });
    const [one, two] = await Promise.all([metrics.text(), metrics.text()]);
    expect(one).toContain('test_first{n="a"} 7');
    expect(one).toContain('test_second{n="b"} 8');
    expect(two).toContain('test_second{n="b"} 8');
    // Two scrapes (concurrent ones too): two computations, not four.
    expect(computed).toBe(2);
  });

  it('reads every queue once per scrape however many lookups share it', async () => {
    class CountingStore extends SqliteQueueStore {
      reads = 0;
      override stats(queueId: number, now: number, retentionMs: number) {
        this.reads++;
        return super.stats(queueId, now, retentionMs);
      }
    }
    const store = new CountingStore(db);
    const service = new QueueService({ store, clock: new FakeClock(NOW), scope });
    await service.createQueue('a', {});
    await service.createQueue('b', {});
    await service.send('a', { body: 'x' });
    const metrics = new Metrics();
    const seen: number[] = [];
    for (const name of ['first', 'second', 'third']) {
      metrics.gauge(`test_${name}`, name, ['queue'], async (set, scrape) => {
        const all = await service.scrapeStats(scrape);
        seen.push(all.get('a')!.visible);
        for (const [queue, s] of all) set({ queue }, s.visible);
      });
    }
    await metrics.text();
    expect(seen).toEqual([1, 1, 1]);
    expect(store.reads).toBe(2);
  });
});
