import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  InvokeCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import Database from 'better-sqlite3';
import { makeZip } from '../test/support/zip.js';
import { percentile } from './lib/load.js';
import { type RunningProcess, startNimbusProcess } from './lib/processes.js';
import { ms, saveResult, table } from './lib/report.js';

const MESSAGES = Number(process.env.BENCH_QUEUE_MESSAGES ?? 5000);
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 200);
const CONCURRENCY = 8;
const BODY = JSON.stringify({ order: 12345, item: 'apple', qty: 3, note: 'x'.repeat(200) });
const credentials = { accessKeyId: 'b', secretAccessKey: 'b' };
const now = () => performance.timeOrigin + performance.now();

/** Logs how long after it was sent each message reached the handler (sender puts `t` in the body). */
const LATENCY_HANDLER = `exports.handler = async (event) => {
  const at = performance.timeOrigin + performance.now();
  for (const r of event.Records) console.log('LAT ' + (at - JSON.parse(r.body).t));
};`;

/**
 * Queue throughput (send, then receive + delete, through the SQS API with client-sqs at 8
 * concurrent clients) beside the same messages written and read by raw SQLite in this process;
 * then queue-to-handler latency of an event source mapping beside an SDK long-poll consumer and a
 * direct synchronous Invoke.
 */
export async function queuesBench(): Promise<void> {
  const nimbus = await startNimbusProcess();
  const sqs = new SQSClient({ endpoint: nimbus.url, region: 'us-east-1', credentials });
  const lambda = new LambdaClient({ endpoint: nimbus.url, region: 'us-east-1', credentials });
  try {
    const raw = sqliteBaseline();
    const http = await timed(MESSAGES, async () => {
      await (await fetch(`${nimbus.url}/healthz`)).text();
    });
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'bench' }))).QueueUrl!;
    const single = await timed(MESSAGES, (i) =>
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `${i}${BODY}` })),
    );
    const drained = await timed(MESSAGES, async () => {
      const r = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      const got = r.Messages ?? [];
      if (got.length) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: url,
            Entries: got.map((m, j) => ({ Id: `m${j}`, ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
      }
      return got.length;
    });
    const batched = await timed(MESSAGES, async (i) => {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: Array.from({ length: 10 }, (_, j) => ({ Id: `e${j}`, MessageBody: `${i}-${j}${BODY}` })),
        }),
      );
      return 10;
    });
    console.log(
      `\nQueue throughput (${MESSAGES} messages of ${BODY.length + 4} bytes, ${CONCURRENCY} concurrent clients)`,
    );
    table(
      ['operation', 'nimbus msg/s', 'raw SQLite msg/s', 'nimbus vs raw'],
      [
        ['(baseline) GET /healthz on the same server', http.toFixed(0), '-', '-'],
        [
          'SendMessage (1 per call)',
          single.toFixed(0),
          raw.insert.toFixed(0),
          `${(single / raw.insert).toFixed(3)}×`,
        ],
        [
          'SendMessageBatch (10 per call)',
          batched.toFixed(0),
          raw.insertBatch.toFixed(0),
          `${(batched / raw.insertBatch).toFixed(3)}×`,
        ],
        [
          'ReceiveMessage(10) + DeleteMessageBatch',
          drained.toFixed(0),
          raw.takeAndDelete.toFixed(0),
          `${(drained / raw.takeAndDelete).toFixed(3)}×`,
        ],
      ],
    );

    const latency = await handlerLatency(nimbus, sqs, lambda);
    console.log(`\nQueue-to-handler latency (${LATENCY_SAMPLES} messages, one every 20 ms)`);
    table(
      ['path', 'p50', 'p99'],
      [
        [
          'SDK long-poll consumer (send → ReceiveMessage returns)',
          ms(latency.consumer.p50),
          ms(latency.consumer.p99),
        ],
        [
          'direct Invoke round trip (baseline for the invoke leg)',
          ms(latency.invoke.p50),
          ms(latency.invoke.p99),
        ],
        ['event source mapping (send → handler starts)', ms(latency.mapping.p50), ms(latency.mapping.p99)],
      ],
    );
    saveResult('queues', {
      messages: MESSAGES,
      throughput: { single, batched, drained, raw, http },
      latency,
    });
  } finally {
    sqs.destroy();
    lambda.destroy();
    await nimbus.stop();
  }
}

/** Runs `op` from CONCURRENCY workers until `total` messages are done; answers messages per second. */
async function timed(total: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let done = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (done < total) {
        const n = await op(next++);
        done += typeof n === 'number' ? n : 1;
        if (typeof n === 'number' && n === 0) break;
      }
    }),
  );
  return done / ((performance.now() - t0) / 1000);
}

/** The same messages through raw better-sqlite3 (WAL, synchronous=NORMAL): the storage floor. */
function sqliteBaseline() {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-bench-sqlite-'));
  const db = new Database(join(dir, 'q.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE m (seq INTEGER PRIMARY KEY, id TEXT, body TEXT, visible_at INTEGER, token TEXT)');
  db.exec('CREATE INDEX m_visible ON m(visible_at, seq)');
  const insert = db.prepare('INSERT INTO m (id, body, visible_at) VALUES (?, ?, 0)');
  const select = db.prepare('SELECT seq FROM m WHERE visible_at <= ? ORDER BY visible_at, seq LIMIT 10');
  const mark = db.prepare('UPDATE m SET visible_at = ?, token = ? WHERE seq = ?');
  const del = db.prepare('DELETE FROM m WHERE seq = ? AND token = ?');
  const rate = (n: number, f: () => void) => {
    const t0 = performance.now();
    f();
    return n / ((performance.now() - t0) / 1000);
  };
  const one = rate(MESSAGES, () => {
    for (let i = 0; i < MESSAGES; i++) db.transaction(() => insert.run(randomUUID(), `${i}${BODY}`))();
  });
  const batch = rate(MESSAGES, () => {
    for (let i = 0; i < MESSAGES; i += 10) {
      db.transaction(() => {
        for (let j = 0; j < 10; j++) insert.run(randomUUID(), `${i}-${j}${BODY}`);
      })();
    }
  });
  const total = MESSAGES * 2;
  const take = rate(total, () => {
    for (;;) {
      const rows = db.transaction(() => {
        const got = select.all(Date.now()) as { seq: number }[];
        for (const r of got) mark.run(Date.now() + 30_000, 't', r.seq);
        return got;
      })();
      if (rows.length === 0) break;
      db.transaction(() => {
        for (const r of rows) del.run(r.seq, 't');
      })();
    }
  });
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { insert: one, insertBatch: batch, takeAndDelete: take };
}

async function handlerLatency(nimbus: RunningProcess, sqs: SQSClient, lambda: LambdaClient) {
  const zip = await makeZip({ 'index.js': LATENCY_HANDLER });
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'queue-latency',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: 'arn:aws:iam::000000000000:role/bench',
      Code: { ZipFile: zip },
    }),
  );
  const pause = () => new Promise((r) => setTimeout(r, 20));

  // Baseline 1: an SDK consumer long-polling the queue.
  const plain = (await sqs.send(new CreateQueueCommand({ QueueName: 'latency-plain' }))).QueueUrl!;
  const consumer: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const t = now();
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl: plain, WaitTimeSeconds: 5 }));
    await sqs.send(new SendMessageCommand({ QueueUrl: plain, MessageBody: JSON.stringify({ t }) }));
    const r = await waiting;
    consumer.push(now() - t);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: plain,
        Entries: [{ Id: 'a', ReceiptHandle: r.Messages![0]!.ReceiptHandle! }],
      }),
    );
  }

  // Baseline 2: the invoke leg alone.
  const invoke: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const t = now();
    await lambda.send(
      new InvokeCommand({
        FunctionName: 'queue-latency',
        Payload: JSON.stringify({ Records: [{ body: JSON.stringify({ t }) }] }),
      }),
    );
    invoke.push(now() - t);
  }

  // The mapping: send, the poller's long poll wakes, the handler runs.
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'latency' }))).QueueUrl!;
  await lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: 'queue-latency',
      EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:latency',
      BatchSize: 1,
    }),
  );
  await new Promise((r) => setTimeout(r, 500));
  const since = Date.now();
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify({ t: now() }) }));
    await pause();
  }
  const mapping = await readLatencies(nimbus.url, 'queue-latency', since, LATENCY_SAMPLES);
  const summary = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b);
    return { p50: percentile(s, 0.5), p99: percentile(s, 0.99), n: s.length };
  };
  return { consumer: summary(consumer), invoke: summary(invoke), mapping: summary(mapping) };
}

/** The `LAT <ms>` lines the handler logged since `since`, waiting until `count` are there. */
export async function readLatencies(
  base: string,
  fn: string,
  since: number,
  count: number,
): Promise<number[]> {
  const end = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(
      `${base}/nimbus/v1/functions/${fn}/logs?filter=LAT%20&limit=10000&startTime=${since}`,
    );
    const { events } = (await res.json()) as { events: { message: string }[] };
    const values = events.map((e) => Number(/LAT ([\d.]+)/.exec(e.message)?.[1])).filter(Number.isFinite);
    if (values.length >= count || Date.now() > end) return values;
    await new Promise((r) => setTimeout(r, 200));
  }
}
