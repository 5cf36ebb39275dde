import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import pg from 'pg';
import { startPostgres } from '../test/support/postgres.js';
import { makeZip } from '../test/support/zip.js';
import { percentile } from './lib/load.js';
import { startNimbusProcess } from './lib/processes.js';
import { ms, saveResult, table } from './lib/report.js';
import { readLatencies } from './queues.bench.js';

const RATE = Number(process.env.BENCH_PG_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_PG_SECONDS ?? 5);
const credentials = { accessKeyId: 'b', secretAccessKey: 'b' };

/** Logs, for each row, how long after its INSERT was sent the handler saw it (`t` column). */
const HANDLER = `exports.handler = async (event) => {
  const at = performance.timeOrigin + performance.now();
  for (const r of event.Records) console.log('LAT ' + (at - r.dynamodb.NewImage.t));
};`;

/**
 * Row change to handler latency under a steady insert load (one-row transactions at RATE/s),
 * beside LISTEN/NOTIFY of the same inserts (a trigger calls pg_notify; a plain `pg` client
 * listens) measured in the same run against the same server.
 */
export async function postgresBench(): Promise<void> {
  const server = await startPostgres();
  if (!server) {
    console.log('PostgreSQL is not installed (apt-get install -y postgresql): skipped');
    return;
  }
  const nimbus = await startNimbusProcess();
  const lambda = new LambdaClient({ endpoint: nimbus.url, region: 'us-east-1', credentials });
  try {
    await server.query(`CREATE TABLE ticks (id serial PRIMARY KEY, t double precision NOT NULL);
      CREATE TABLE notified (id serial PRIMARY KEY, t double precision NOT NULL);
      CREATE FUNCTION notify_tick() RETURNS trigger AS $$
        BEGIN PERFORM pg_notify('ticks', NEW.t::text); RETURN NEW; END $$ LANGUAGE plpgsql;
      CREATE TRIGGER notified_notify AFTER INSERT ON notified FOR EACH ROW EXECUTE FUNCTION notify_tick();`);
    // A small pool: inserts overlap when one is slow, as independent writers would.
    const writer = new pg.Pool({ connectionString: server.url, max: 4 });
    const now = () => performance.timeOrigin + performance.now();

    // Baseline: LISTEN/NOTIFY.
    const listener = new pg.Client({ connectionString: server.url });
    await listener.connect();
    const notifyLatencies: number[] = [];
    listener.on('notification', (n) => notifyLatencies.push(now() - Number(n.payload)));
    await listener.query('LISTEN ticks');
    await steady(RATE, SECONDS, () => writer.query('INSERT INTO notified (t) VALUES ($1)', [now()]));
    await new Promise((r) => setTimeout(r, 500));
    await listener.end();

    // Nimbus: an event source mapping on the table.
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'pg-latency',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: 'arn:aws:iam::000000000000:role/bench',
        Code: { ZipFile: await makeZip({ 'index.js': HANDLER }) },
      }),
    );
    const m = await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'pg-latency',
        EventSourceArn: 'arn:nimbus:postgres:us-east-1:000000000000:db/postgres/table/public.ticks',
        SelfManagedEventSource: { Endpoints: { POSTGRES_URL: [server.url] } as never },
        StartingPosition: 'LATEST',
        BatchSize: 100,
      }),
    );
    for (let i = 0; i < 100; i++) {
      if ((await lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }))).State === 'Enabled') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
    const since = Date.now();
    const inserted = await steady(RATE, SECONDS, () =>
      writer.query('INSERT INTO ticks (t) VALUES ($1)', [now()]),
    );
    const nimbusLatencies = await readLatencies(nimbus.url, 'pg-latency', since, inserted);
    await writer.end();

    const summary = (v: number[]) => {
      const s = [...v].sort((a, b) => a - b);
      return { p50: percentile(s, 0.5), p99: percentile(s, 0.99), n: s.length };
    };
    const notify = summary(notifyLatencies);
    const mapping = summary(nimbusLatencies);
    console.log(`\nRow change to handler (${RATE} single-row inserts/s for ${SECONDS} s)`);
    table(
      ['path', 'rows', 'p50', 'p99'],
      [
        ['LISTEN/NOTIFY (trigger → pg client)', notify.n, ms(notify.p50), ms(notify.p99)],
        ['Nimbus mapping (INSERT → handler starts)', mapping.n, ms(mapping.p50), ms(mapping.p99)],
      ],
    );
    saveResult('postgres', { rate: RATE, seconds: SECONDS, notify, mapping });
  } finally {
    lambda.destroy();
    await nimbus.stop();
    await server.close();
  }
}

/** Calls `op` at `rate` per second for `seconds` (open loop: a slow call does not delay the next). */
async function steady(rate: number, seconds: number, op: () => Promise<unknown>): Promise<number> {
  const total = rate * seconds;
  const t0 = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(op());
  }
  await Promise.all(pending);
  return total;
}
