import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { requireTool } from '../support/system-tools.js';

/**
 * boto3, unchanged, against a real Nimbus: the Python scripts in `boto3/` drive Lambda, S3, SQS,
 * EventBridge Scheduler, API Gateway v2 and CloudWatch Logs with `endpoint_url`, dummy
 * credentials and us-east-1, assert as they go (a failure is a Python traceback) and print a JSON
 * report as their last line, which is checked here too.
 *
 * Every Python with boto3 found is tried: Debian's `python3-boto3` at /usr/bin/python3 (what CI
 * installs) and a newer pip one on PATH if there is one. Their wire formats differ (botocore
 * before 1.31.62 speaks SQS's query protocol, later ones JSON), and both must work.
 */

const SCRIPTS = fileURLToPath(new URL('./boto3/', import.meta.url));
/** A Python start plus boto3's import is 1-3 s here; the S3 script moves ~40 MB through Nimbus. */
const SCRIPT_TIMEOUT_MS = 240_000;
/** The key pair of the server that checks signatures (S3 presigned URLs, SigV2 and SigV4). */
const KEYS = Object.freeze({
  accessKeyId: 'NIMBUSBOTOKEY0001',
  secretAccessKey: 'boto3-compat-secret-value',
});

interface Boto3Python {
  executable: string;
  boto3: string;
  botocore: string;
}

function probe(executable: string): Boto3Python | undefined {
  try {
    const out = execFileSync(
      executable,
      ['-c', 'import json, boto3, botocore; print(json.dumps([boto3.__version__, botocore.__version__]))'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 },
    );
    const [boto3, botocore] = JSON.parse(out) as [string, string];
    return { executable, boto3, botocore };
  } catch {
    return undefined;
  }
}

/** Each distinct botocore among the Pythons here, Debian's first. */
function findBoto3Pythons(): Boto3Python[] {
  const found: Boto3Python[] = [];
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    const p = probe(candidate);
    if (p && !found.some((f) => f.botocore === p.botocore)) found.push(p);
  }
  return found;
}

const pythons = findBoto3Pythons();
const available = requireTool('boto3', pythons[0]?.executable, 'apt-get install -y python3-boto3');

interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

let home: string;

function runScript(
  py: Boto3Python,
  script: string,
  endpoint: string,
  prefix: string,
  keys?: { accessKeyId: string; secretAccessKey: string },
): Promise<ScriptRun> {
  // Only what boto3 needs: no AWS_* from the developer's shell, no ~/.aws config or credentials.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    PYTHONPATH: SCRIPTS,
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONUNBUFFERED: '1',
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    NIMBUS_ENDPOINT: endpoint,
    NIMBUS_PREFIX: prefix,
    ...(keys
      ? { NIMBUS_ACCESS_KEY_ID: keys.accessKeyId, NIMBUS_SECRET_ACCESS_KEY: keys.secretAccessKey }
      : {}),
  };
  return new Promise((done) => {
    execFile(
      py.executable,
      [join(SCRIPTS, script)],
      { env, cwd: home, maxBuffer: 64 << 20, timeout: SCRIPT_TIMEOUT_MS - 10_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** The script's JSON report (its last stdout line); a failed script fails with its traceback. */
async function run(
  py: Boto3Python,
  script: string,
  endpoint: string,
  prefix: string,
  keys?: { accessKeyId: string; secretAccessKey: string },
): Promise<Record<string, unknown>> {
  const r = await runScript(py, script, endpoint, prefix, keys);
  if (r.code !== 0) {
    throw new Error(`${script} under boto3 ${py.boto3} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  }
  const last = r.stdout.trim().split('\n').pop() ?? '';
  const report = JSON.parse(last) as Record<string, unknown>;
  expect(report.botocore).toBe(py.botocore);
  return report;
}

let open: TestServer;
let keyed: TestServer;

beforeAll(async () => {
  if (!available) return;
  home = mkdtempSync(join(tmpdir(), 'nimbus-boto3-'));
  writeFileSync(join(home, 'config'), '');
  writeFileSync(join(home, 'credentials'), '');
  // One server accepting any key, as users point boto3 at a local Nimbus; one with a key pair,
  // where every signature (presigned URLs included) is checked.
  open = await startTestServer();
  keyed = await startTestServer({ ...KEYS });
});
afterAll(async () => {
  await open?.close();
  await keyed?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe.skipIf(!available)('boto3 against Nimbus', () => {
  for (const [i, py] of pythons.entries()) {
    // Distinct, non-overlapping name prefixes: every boto3 shares the two servers.
    const prefix = `b3v${i}`;
    describe(`boto3 ${py.boto3} / botocore ${py.botocore} (${py.executable})`, () => {
      it(
        'Lambda: create/get/list/update/invoke (sync, Event, DryRun), versions, aliases, URLs, errors',
        async () => {
          const report = await run(py, 'lambda_api.py', open.url, prefix);
          expect(report.functions).toEqual(
            [
              `${prefix}-node`,
              `${prefix}-page-0`,
              `${prefix}-page-1`,
              `${prefix}-page-2`,
              `${prefix}-py`,
            ].sort(),
          );
          expect(report.log_tail).toMatch(/^REPORT RequestId: [0-9a-f-]{36}\tDuration: /m);
        },
        SCRIPT_TIMEOUT_MS,
      );

      it(
        'SQS: queues, attributes, send/receive/delete, long polling, batches, FIFO, errors',
        async () => {
          const report = await run(py, 'sqs_api.py', open.url, prefix);
          // botocore switched SQS from the query protocol to JSON in 1.31.62; Nimbus speaks both.
          expect(report.protocol).toBe(olderThan(py.botocore, [1, 31, 62]) ? 'query' : 'json');
          expect(report.queue_url).toBe(`${open.url}/000000000000/${prefix}-jobs`);
        },
        SCRIPT_TIMEOUT_MS,
      );

      it(
        'EventBridge Scheduler, API Gateway v2 and CloudWatch Logs around one function',
        async () => {
          const report = await run(py, 'events_api.py', open.url, prefix);
          expect(report.schedule_events).toBe(1);
          expect(report.log_streams).toBeGreaterThanOrEqual(1);
        },
        SCRIPT_TIMEOUT_MS,
      );

      it(
        'S3: buckets, objects, paginators, multipart upload_file, presigned URLs (signatures checked), notifications',
        async () => {
          const report = await run(py, 's3_api.py', keyed.url, prefix, KEYS);
          expect(report.multipart_etag).toMatch(/^"[0-9a-f]{32}-3"$/);
          expect(report.s3_event).toEqual({
            name: 'ObjectCreated:Put',
            bucket: `${prefix}-bucket`,
            key: 'incoming/photo+1.jpg',
            size: 5,
          });
          // botocore's default presigner in us-east-1 is S3's legacy Signature Version 2.
          expect(report.presigned).toEqual({ default: 'v2', s3v4: 'v4' });
        },
        SCRIPT_TIMEOUT_MS,
      );
    });
  }
});

function olderThan(version: string, than: [number, number, number]): boolean {
  const v = version.split('.').map((n) => Number.parseInt(n, 10));
  for (let i = 0; i < 3; i++) {
    if ((v[i] ?? 0) !== than[i]) return (v[i] ?? 0) < than[i]!;
  }
  return false;
}
