import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateEventSourceMappingCommand,
  type CreateEventSourceMappingCommandInput,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_LOGGER, functionEvents } from '../support/function-events.js';
import { createFunction } from '../support/functions.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ShiftedClock } from '../support/shifted-clock.js';
import { eventually, sqsClient } from '../support/sqs.js';

interface Change {
  eventID: string;
  eventName: string;
  eventSource: string;
  eventSourceARN: string;
  dynamodb: {
    Keys: Record<string, unknown>;
    NewImage?: Record<string, unknown>;
    OldImage?: Record<string, unknown>;
    SequenceNumber: string;
    ApproximateCreationDateTime: number;
  };
}
type ChangeEvent = { Records: Change[] };

let pgServer: TestPostgres | undefined;
let s: TestServer;
let dataDir: string;
/** Nimbus's clock; the last tests move it ahead of PostgreSQL's, so changes arrive already old. */
const clock = new ShiftedClock();
beforeAll(async () => {
  pgServer = await startPostgres();
  dataDir = mkdtempSync(join(tmpdir(), 'nimbus-pg-test-'));
  s = await startTestServer({}, { dataDir, clock });
}, 60_000);
afterAll(async () => {
  await s?.close();
  await pgServer?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const ARN = (tables: string) => `arn:nimbus:postgres:us-east-1:000000000000:db/postgres/table/${tables}`;
const HANDLER = `${EVENT_LOGGER}
exports.handler = async (event) => {
  exports.logEvent(event);
  if (event.Records.some((r) => r.dynamodb.NewImage && r.dynamodb.NewImage.item === 'poison')) throw new Error('poison');
};`;

async function mapping(
  fn: string,
  tables: string,
  extra: Partial<CreateEventSourceMappingCommandInput> = {},
) {
  const m = await s.lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: fn,
      EventSourceArn: ARN(tables),
      SelfManagedEventSource: { Endpoints: { POSTGRES_URL: [pgServer!.url] } as never },
      StartingPosition: 'LATEST',
      ...extra,
    }),
  );
  await eventually(async () =>
    (await s.lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }))).State === 'Enabled'
      ? true
      : undefined,
  );
  return m;
}
const changes = async (fn: string) =>
  (await functionEvents<ChangeEvent>(s.url, fn)).flatMap((e) => e.Records);
/** `nimbus_trigger_lag_seconds` of a mapping, from `/metrics` (undefined: no such series). */
async function triggerLag(uuid: string): Promise<number | undefined> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('nimbus_trigger_lag_seconds{') && l.includes(`mapping="${uuid}"`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}
async function rejects(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

describe('PostgreSQL table changes', () => {
  it('inserts, updates and deletes arrive in commit order with their images', async () => {
    if (!pgServer) return;
    await pgServer.query(`CREATE TABLE orders (id int PRIMARY KEY, item text, qty int, meta jsonb, big bigint, ok boolean, at timestamptz);
      ALTER TABLE orders REPLICA IDENTITY FULL;
      CREATE TABLE notes (id int PRIMARY KEY, body text)`);
    await createFunction(s.lambda, 'pg-orders', { 'index.js': HANDLER });
    const m = await mapping('pg-orders', 'public.orders,public.notes', { BatchSize: 10 });
    expect(m.StartingPosition).toBe('LATEST');
    expect(m.SelfManagedEventSource).toEqual({ Endpoints: { POSTGRES_URL: [pgServer.url] } });
    await pgServer.query(
      `INSERT INTO orders VALUES (1, 'apple', 2, '{"colour":"red"}', 9007199254740993, true, '2026-01-02T03:04:05Z')`,
    );
    await pgServer.query(
      `BEGIN; UPDATE orders SET qty = 3 WHERE id = 1; INSERT INTO notes VALUES (7, 'hello'); COMMIT`,
    );
    await pgServer.query(`UPDATE notes SET body = 'bye' WHERE id = 7`);
    await pgServer.query(`DELETE FROM orders WHERE id = 1; DELETE FROM notes WHERE id = 7`);
    const got = await eventually(async () => {
      const c = await changes('pg-orders');
      return c.length >= 6 ? c : undefined;
    });
    expect(
      got.map(
        (c) =>
          `${c.eventName} ${c.eventSourceARN.split('/table/')[1]!.split('/')[0]} ${JSON.stringify(c.dynamodb.Keys)}`,
      ),
    ).toEqual([
      'INSERT public.orders {"id":1}',
      'MODIFY public.orders {"id":1}',
      'INSERT public.notes {"id":7}',
      'MODIFY public.notes {"id":7}',
      'REMOVE public.orders {"id":1}',
      'REMOVE public.notes {"id":7}',
    ]);
    const [insert, modify, , modifyNote, remove, removeNote] = got;
    expect(insert!.dynamodb.NewImage).toEqual({
      id: 1,
      item: 'apple',
      qty: 2,
      meta: { colour: 'red' },
      big: '9007199254740993',
      ok: true,
      at: '2026-01-02 03:04:05+00',
    });
    expect(insert!.dynamodb.OldImage).toBeUndefined();
    expect(modify!.dynamodb.OldImage).toMatchObject({ qty: 2 });
    expect(modify!.dynamodb.NewImage).toMatchObject({ qty: 3, item: 'apple' });
    // Default replica identity: no old row on update, only the key on delete.
    expect(modifyNote!.dynamodb.OldImage).toBeUndefined();
    expect(modifyNote!.dynamodb.NewImage).toEqual({ id: 7, body: 'bye' });
    expect(remove!.dynamodb.OldImage).toMatchObject({ id: 1, item: 'apple', qty: 3 });
    expect(removeNote!.dynamodb.OldImage).toEqual({ id: 7 });
    const seqs = got.map((c) => c.dynamodb.SequenceNumber);
    expect([...seqs].sort()).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(insert).toMatchObject({
      eventID: insert!.dynamodb.SequenceNumber,
      eventSource: 'nimbus:postgres',
      eventSourceARN: expect.stringMatching(
        /^arn:nimbus:postgres:us-east-1:000000000000:db\/postgres\/table\/public\.orders\/stream\/nimbus_[0-9a-f]{32}$/,
      ),
    });
    expect(Math.abs(insert!.dynamodb.ApproximateCreationDateTime - Date.now() / 1000)).toBeLessThan(60);
  });

  it('a restart mid-stream loses nothing and re-delivers at most the batch in flight', async () => {
    if (!pgServer) return;
    await pgServer.query('CREATE TABLE events (id int PRIMARY KEY)');
    await createFunction(s.lambda, 'pg-restart', {
      'index.js': `${EVENT_LOGGER}
exports.handler = async (event) => { exports.logEvent(event); await new Promise((r) => setTimeout(r, 30)); };`,
    });
    await mapping('pg-restart', 'public.events', { BatchSize: 5 });
    for (let i = 1; i <= 40; i++) await pgServer.query('INSERT INTO events VALUES ($1)', [i]);
    await eventually(async () => ((await changes('pg-restart')).length >= 10 ? true : undefined));
    await s.close();
    // Changes made while Nimbus is down are delivered after it comes back.
    for (let i = 41; i <= 50; i++) await pgServer.query('INSERT INTO events VALUES ($1)', [i]);
    s = await startTestServer({}, { dataDir, clock });
    const all = await eventually(async () => {
      const c = await changes('pg-restart');
      return new Set(c.map((r) => r.dynamodb.Keys.id)).size >= 50 ? c : undefined;
    }, 30_000);
    const ids = all.map((r) => r.dynamodb.Keys.id as number);
    expect(new Set(ids)).toEqual(new Set(Array.from({ length: 50 }, (_, i) => i + 1)));
    expect(ids.length - 50).toBeLessThanOrEqual(5);
    // Per key, in commit order: ids only ever increase within each run.
    const firstSeen = ids.map((id, i) => ids.indexOf(id) === i);
    expect(ids.filter((_, i) => firstSeen[i])).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('a failing batch is retried and bisected; the bad record goes to the on-failure queue', async () => {
    if (!pgServer) return;
    const sqs = sqsClient(s.url);
    const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: 'pg-failures' }))).QueueUrl!;
    await pgServer.query('CREATE TABLE jobs (id int PRIMARY KEY, item text)');
    await createFunction(s.lambda, 'pg-bisect', { 'index.js': HANDLER });
    await mapping('pg-bisect', 'public.jobs', {
      BatchSize: 8,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:000000000000:pg-failures' } },
    });
    await pgServer.query(
      `INSERT INTO jobs SELECT g, CASE WHEN g = 6 THEN 'poison' ELSE 'job ' || g END FROM generate_series(1, 8) g`,
    );
    const message = await eventually(
      async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq }))).Messages?.[0],
      30_000,
    );
    const failure = JSON.parse(message.Body!) as {
      requestContext: { condition: string };
      PostgresBatchInfo: { batchSize: number };
      Records: Change[];
    };
    expect(failure.requestContext.condition).toBe('RetryAttemptsExhausted');
    expect(failure.PostgresBatchInfo.batchSize).toBe(1);
    expect(failure.Records.map((r) => r.dynamodb.Keys.id)).toEqual([6]);
    const events = await functionEvents<ChangeEvent>(s.url, 'pg-bisect');
    const sizes = events.map((e) => e.Records.length);
    expect(sizes.slice(0, 3)).toEqual([8, 4, 4]);
    const delivered = new Set(
      events
        .filter((e) => !e.Records.some((r) => r.dynamodb.NewImage?.item === 'poison'))
        .flatMap((e) => e.Records.map((r) => r.dynamodb.Keys.id)),
    );
    expect(delivered).toEqual(new Set([1, 2, 3, 4, 5, 7, 8]));
    sqs.destroy();
  });

  it('ReportBatchItemFailures retries from the lowest failed sequence number', async () => {
    if (!pgServer) return;
    await pgServer.query('CREATE TABLE partial (id int PRIMARY KEY, item text)');
    await createFunction(s.lambda, 'pg-partial', {
      'index.js': `${EVENT_LOGGER}
const failed = new Set();
exports.handler = async (event) => {
  exports.logEvent(event);
  const bad = event.Records.filter((r) => r.dynamodb.NewImage.item === 'fail-once' && !failed.has(r.dynamodb.Keys.id));
  for (const r of bad) failed.add(r.dynamodb.Keys.id);
  return { batchItemFailures: bad.map((r) => ({ itemIdentifier: r.dynamodb.SequenceNumber })) };
};`,
    });
    await mapping('pg-partial', 'public.partial', { FunctionResponseTypes: ['ReportBatchItemFailures'] });
    await pgServer.query("INSERT INTO partial VALUES (1, 'a'), (2, 'b'), (3, 'fail-once'), (4, 'd')");
    const events = await eventually(async () => {
      const e = await functionEvents<ChangeEvent>(s.url, 'pg-partial');
      return e.length >= 2 ? e : undefined;
    });
    expect(events.map((e) => e.Records.map((r) => r.dynamodb.Keys.id))).toEqual([
      [1, 2, 3, 4],
      [3, 4],
    ]);
  });

  it('recovers by itself when the database comes back, with the problem visible meanwhile', {
    timeout: 60_000,
  }, async () => {
    if (!pgServer) return;
    await pgServer.query('CREATE TABLE pings (id int PRIMARY KEY)');
    await createFunction(s.lambda, 'pg-recover', { 'index.js': HANDLER });
    const m = await mapping('pg-recover', 'public.pings');
    await pgServer.query('INSERT INTO pings VALUES (1)');
    await eventually(async () => ((await changes('pg-recover')).length >= 1 ? true : undefined));
    await pgServer.stop();
    try {
      const problem = await eventually(async () => {
        const got = await s.lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }));
        return got.LastProcessingResult?.startsWith('PROBLEM') ? got : undefined;
      });
      expect(problem.State).toBe('Enabled');
      expect(problem.LastProcessingResult).toMatch(
        /PROBLEM: (Lost the PostgreSQL connection|Cannot stream changes)/,
      );
    } finally {
      await pgServer.start();
    }
    await pgServer.query('INSERT INTO pings VALUES (2)');
    const all = await eventually(async () => {
      const c = await changes('pg-recover');
      return c.some((r) => r.dynamodb.Keys.id === 2) ? c : undefined;
    }, 40_000);
    expect(all.map((r) => r.dynamodb.Keys.id)).toEqual([1, 2]);
  });

  it('clear errors at configuration time; deleting a mapping drops its slot and publication', async () => {
    if (!pgServer) return;
    await createFunction(s.lambda, 'pg-config', { 'index.js': HANDLER });
    await pgServer.query('CREATE TABLE things (id int PRIMARY KEY)');
    const unreachable = await rejects(
      s.lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: 'pg-config',
          EventSourceArn: ARN('public.things'),
          SelfManagedEventSource: {
            Endpoints: { POSTGRES_URL: ['postgres://postgres@127.0.0.1:1/postgres'] } as never,
          },
          StartingPosition: 'LATEST',
        }),
      ),
    );
    expect(unreachable.name).toBe('InvalidParameterValueException');
    expect(unreachable.message).toMatch(/^Cannot connect to PostgreSQL at 127\.0\.0\.1:1\/postgres/);
    const missing = await rejects(mapping('pg-config', 'public.nope'));
    expect(missing.message).toBe('Table public.nope does not exist in database postgres.');
    await pgServer.query("CREATE ROLE plain LOGIN PASSWORD 'pw'");
    const noRights = await rejects(
      s.lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: 'pg-config',
          EventSourceArn: ARN('public.things'),
          SelfManagedEventSource: {
            Endpoints: { POSTGRES_URL: [`postgres://plain:pw@127.0.0.1:${pgServer.port}/postgres`] } as never,
          },
          StartingPosition: 'LATEST',
        }),
      ),
    );
    expect(noRights.message).toContain('Role plain may not use replication');
    const noPosition = await rejects(mapping('pg-config', 'public.things', { StartingPosition: undefined }));
    expect(noPosition.message).toContain('StartingPosition is required');
    const badArn = await rejects(mapping('pg-config', 'things'));
    expect(badArn.message).toContain('must be written <schema>.<table>');

    const m = await mapping('pg-config', 'public.things');
    const slot = `nimbus_${m.UUID!.replace(/-/g, '')}`;
    expect(
      (await pgServer.query('SELECT slot_name FROM pg_replication_slots WHERE slot_name = $1', [slot]))
        .rowCount,
    ).toBe(1);
    await s.lambda.send(new DeleteEventSourceMappingCommand({ UUID: m.UUID }));
    await eventually(async () =>
      (await pgServer!.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot])).rowCount ===
      0
        ? true
        : undefined,
    );
    expect((await pgServer.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [slot])).rowCount).toBe(
      0,
    );
  });

  it('reports the trigger lag: the age of the oldest change waiting for the function', async () => {
    if (!pgServer) return;
    await pgServer.query('CREATE TABLE slow (id int PRIMARY KEY)');
    await createFunction(
      s.lambda,
      'pg-slow',
      {
        'index.js': `${EVENT_LOGGER}
exports.handler = async (event) => { exports.logEvent(event); await new Promise((r) => setTimeout(r, 3000)); };`,
      },
      { Timeout: 30 },
    );
    const m = await mapping('pg-slow', 'public.slow', { BatchSize: 1 });
    // Connected and caught up: nothing waits.
    expect(await eventually(async () => triggerLag(m.UUID!))).toBe(0);
    await pgServer.query('INSERT INTO slow VALUES (1)');
    await pgServer.query('INSERT INTO slow VALUES (2)');
    // The first change is with the function, the second waits behind it.
    await eventually(async () => ((await changes('pg-slow')).length >= 1 ? true : undefined));
    expect(await triggerLag(m.UUID!)).toBeLessThan(60);
    clock.advance(100_000);
    expect(await triggerLag(m.UUID!)).toBeGreaterThanOrEqual(100);
    await eventually(async () => ((await changes('pg-slow')).length >= 2 ? true : undefined), 20_000);
    expect(await eventually(async () => ((await triggerLag(m.UUID!)) === 0 ? 0 : undefined))).toBe(0);
    await s.lambda.send(new DeleteEventSourceMappingCommand({ UUID: m.UUID }));
  });

  it('MaximumRecordAgeInSeconds: an older change goes to the on-failure destination, not the function', async () => {
    if (!pgServer) return;
    const sqs = sqsClient(s.url);
    const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: 'pg-too-old' }))).QueueUrl!;
    await pgServer.query('CREATE TABLE aged (id int PRIMARY KEY, item text)');
    await createFunction(s.lambda, 'pg-aged', { 'index.js': HANDLER });
    await mapping('pg-aged', 'public.aged', {
      MaximumRecordAgeInSeconds: 300,
      DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:000000000000:pg-too-old' } },
    });
    // Younger than 300 s by Nimbus's clock (whatever earlier tests moved it by): delivered.
    await pgServer.query("INSERT INTO aged VALUES (1, 'fresh')");
    await eventually(async () => ((await changes('pg-aged')).length >= 1 ? true : undefined));
    // From now on every change is 400 s old when it arrives.
    clock.advance(400_000);
    await pgServer.query("INSERT INTO aged VALUES (2, 'stale'), (3, 'stale too')");
    const message = await eventually(
      async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq }))).Messages?.[0],
      30_000,
    );
    const failure = JSON.parse(message.Body!) as {
      requestContext: { condition: string; approximateInvokeCount: number };
      PostgresBatchInfo: { batchSize: number; streamArn: string };
      Records: Change[];
    };
    expect(failure.requestContext.condition).toBe('RecordAgeExceeded');
    expect(failure.requestContext.approximateInvokeCount).toBe(0);
    expect(failure.PostgresBatchInfo.batchSize).toBe(2);
    expect(failure.PostgresBatchInfo.streamArn).toBe(ARN('public.aged'));
    expect(failure.Records.map((r) => r.dynamodb.Keys.id)).toEqual([2, 3]);
    // The function never saw them; the mapping carries on past them.
    expect((await changes('pg-aged')).map((r) => r.dynamodb.Keys.id)).toEqual([1]);
    sqs.destroy();
  });
});
