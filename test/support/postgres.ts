import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { requireTool } from './system-tools.js';

/** A throwaway PostgreSQL cluster with `wal_level=logical`, on a free loopback port. */
export interface TestPostgres {
  port: number;
  /** Superuser connection string to database `postgres`. */
  url: string;
  /** Runs SQL as the superuser. */
  query(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  /** Stops the server (asynchronously: the test process keeps serving its connections meanwhile). */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

function findPgBin(): string | undefined {
  for (const v of ['17', '16', '15', '14']) {
    const dir = `/usr/lib/postgresql/${v}/bin`;
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

/**
 * Starts PostgreSQL from Debian's `postgresql` package (installed by `.ci/run`), or `undefined`
 * (the test skips) when it is missing locally. As root the cluster runs as user `postgres`
 * (PostgreSQL refuses to run as root); trust authentication, loopback only, fsync off.
 */
export async function startPostgres(): Promise<TestPostgres | undefined> {
  const bin = requireTool('PostgreSQL server', findPgBin(), 'apt-get install -y postgresql');
  if (!bin) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  const command = (cmd: string, args: string[]): [string, string[]] => {
    if (!asRoot) return [join(bin, cmd), args];
    const line = [join(bin, cmd), ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    return ['su', ['postgres', '-s', '/bin/sh', '-c', line]];
  };
  const run = async (cmd: string, args: string[]) => {
    const [file, argv] = command(cmd, args);
    await promisify(execFile)(file, argv);
  };
  const port = await freePort();
  await run('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '-A', 'trust', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c wal_level=logical -c max_replication_slots=20 -c max_wal_senders=20`;
  const start = () =>
    run('pg_ctl', ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-o', options, 'start']);
  const stop = () => run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop']);
  await start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let running = true;
  return {
    port,
    url,
    async query(sql, params) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return await c.query(sql, params);
      } finally {
        await c.end();
      }
    },
    async stop() {
      if (running) await stop();
      running = false;
    },
    async start() {
      if (!running) await start();
      running = true;
    },
    async close() {
      try {
        if (running) await stop();
      } finally {
        running = false;
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
