import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { makeZip } from '../support/zip.js';
import { assertCliBuilt, cliFor, makeFolder, writeFiles } from './harness.js';

const handler = (version: number) =>
  `exports.handler = async (event) => { console.log('v${version} got', JSON.stringify(event)); return { version: ${version}, event }; };`;

let server: TestServer;
let nimbus: ReturnType<typeof cliFor>;
const folder = makeFolder({ 'index.js': handler(1), 'lib/util.js': 'module.exports = 1;' });

beforeAll(async () => {
  assertCliBuilt();
  server = await startTestServer();
  nimbus = cliFor(server.url);
});

afterAll(async () => {
  await server?.close();
  folder.cleanup();
});

describe('nimbus function deploy', () => {
  it('creates a function from a folder, then updates its code and configuration', async () => {
    const created = await nimbus('function', 'deploy', folder.dir, '--name', 'web');
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/^Created function web\n/);
    expect(created.stdout).toMatch(/runtime\s+nodejs20\.x/);
    expect(created.stdout).toMatch(/handler\s+index\.handler/);
    expect(created.stdout).toMatch(/state\s+Active/);

    let r = await nimbus('invoke', 'web', '--payload', '{"n":1}');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ version: 1, event: { n: 1 } });

    // The same folder zips to the same bytes: nothing to upload.
    const same = await nimbus('fn', 'deploy', folder.dir, '--name', 'web');
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/^Function web is up to date/);

    writeFiles(folder.dir, { 'index.js': handler(2) });
    const updated = await nimbus(
      'fn',
      'deploy',
      folder.dir,
      '--name',
      'web',
      '--timeout',
      '7',
      '--memory',
      '256',
      '--env',
      'GREETING=hi=there',
      '--description',
      'the web function',
    );
    expect(updated.code).toBe(0);
    expect(updated.stdout).toMatch(
      /^Updated function web \(code, Timeout, MemorySize, Description, Environment\)\n/,
    );

    r = await nimbus('invoke', 'web', '--payload', '{"n":2}');
    expect(JSON.parse(r.stdout)).toEqual({ version: 2, event: { n: 2 } });

    const { Configuration } = (await nimbus('fn', 'get', 'web', '--json').then((g) => JSON.parse(g.stdout)))
      .function;
    expect(Configuration).toMatchObject({
      Timeout: 7,
      MemorySize: 256,
      Description: 'the web function',
      Environment: { Variables: { GREETING: 'hi=there' } },
      Role: 'arn:aws:iam::000000000000:role/nimbus-function',
    });
  });

  it('deploys a .zip as is, with --json printing the configuration', async () => {
    const zip = await makeZip({ 'app.mjs': 'export const go = async () => "zipped";' });
    const path = join(folder.dir, '..', `${folder.dir.split('/').pop()}-app.zip`);
    writeFileSync(path, zip);
    const r = await nimbus('fn', 'deploy', path, '--name', 'zipped', '--handler', 'app.go', '--json');
    expect(r.code).toBe(0);
    const config = JSON.parse(r.stdout);
    expect(config).toMatchObject({ FunctionName: 'zipped', Handler: 'app.go', CodeSize: zip.length });
    expect((await nimbus('invoke', 'zipped')).stdout).toBe('"zipped"');
  });

  it('warns when the handler file is not in the folder', async () => {
    const r = await nimbus('fn', 'deploy', folder.dir, '--name', 'misnamed', '--handler', 'main.handler');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning: handler main.handler needs one of main.js, main.mjs, main.cjs');
  });

  it('refuses a bad name, a missing path, and a file that is not a zip, before calling the server', async () => {
    let r = await nimbus('fn', 'deploy', folder.dir, '--name', 'no spaces');
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(/^nimbus: invalid --name "no spaces"/);

    r = await nimbus('fn', 'deploy', join(folder.dir, 'missing'), '--name', 'x');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^nimbus: cannot deploy .*missing: no such file or folder\.\n$/);

    r = await nimbus('fn', 'deploy', join(folder.dir, 'index.js'), '--name', 'x');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is neither a folder nor a .zip file');

    r = await nimbus('fn', 'deploy', folder.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("required option '--name <name>' not specified");
  });

  it('passes server validation errors through as one line', async () => {
    const r = await nimbus('fn', 'deploy', folder.dir, '--name', 'slow', '--timeout', '901');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^nimbus: ValidationException: 1 validation error detected: .*timeout.*\n$/);
  });
});

describe('nimbus function list / get / delete', () => {
  beforeAll(async () => {
    await nimbus('fn', 'deploy', folder.dir, '--name', 'listed-a', '--memory', '512');
    await nimbus('fn', 'deploy', folder.dir, '--name', 'listed-b');
  });

  it('lists functions as a table and as JSON', async () => {
    const table = await nimbus('function', 'list');
    expect(table.code).toBe(0);
    const [header, ...lines] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^NAME\s+RUNTIME\s+MEMORY\s+TIMEOUT\s+CODE SIZE\s+LAST MODIFIED$/);
    const rowA = lines.find((l) => l.startsWith('listed-a '));
    expect(rowA).toMatch(
      /^listed-a\s+nodejs20\.x\s+512 MB\s+3 s\s+[\d.]+ (B|KB)\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/,
    );

    const json = await nimbus('fn', 'ls', '--json');
    const names = (JSON.parse(json.stdout).Functions as { FunctionName: string }[]).map(
      (f) => f.FunctionName,
    );
    expect(names).toEqual(expect.arrayContaining(['listed-a', 'listed-b']));
  });

  it('follows NextMarker across pages', async () => {
    // The server pages ListFunctions at 50; make sure there are more than 50.
    const zip = (await makeZip({ 'index.js': handler(0) })).toString('base64');
    for (let i = 0; i < 52; i++) {
      const res = await fetch(`${server.url}/2015-03-31/functions`, {
        method: 'POST',
        body: JSON.stringify({
          FunctionName: `paged-${String(i).padStart(2, '0')}`,
          Runtime: 'nodejs20.x',
          Handler: 'index.handler',
          Role: 'arn:aws:iam::000000000000:role/r',
          Code: { ZipFile: zip },
        }),
      });
      expect(res.status).toBe(201);
    }
    const first = await fetch(`${server.url}/2015-03-31/functions`).then(
      (r) => r.json() as Promise<{ NextMarker?: string }>,
    );
    expect(first.NextMarker).toBeTruthy();
    const json = await nimbus('fn', 'ls', '--json');
    const names = (JSON.parse(json.stdout).Functions as { FunctionName: string }[]).map(
      (f) => f.FunctionName,
    );
    expect(names.filter((n) => n.startsWith('paged-'))).toHaveLength(52);
    const table = await nimbus('fn', 'ls');
    expect(table.stdout).toContain('paged-51 ');
  });

  it('shows one function with its live status', async () => {
    await nimbus('invoke', 'listed-a');
    const r = await nimbus('fn', 'get', 'listed-a');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Name\s+listed-a$/m);
    expect(r.stdout).toMatch(/^ARN\s+arn:aws:lambda:us-east-1:000000000000:function:listed-a$/m);
    expect(r.stdout).toMatch(/^Memory\s+512 MB$/m);
    expect(r.stdout).toMatch(/^State\s+Active, last update Successful$/m);
    expect(r.stdout).toMatch(/^Sandboxes\s+1 \(1 idle, 0 busy, 0 starting\)$/m);
    expect(r.stdout).toMatch(/^Concurrency\s+0 in flight, 0 throttled$/m);
    expect(r.stdout).toMatch(/^Starts\s+0 warm, 1 cold \(Init Duration avg \d+\.\d ms, max \d+\.\d ms\)$/m);
    expect(r.stdout).toMatch(/^Keep-alive\s+\d+ s \(fixed\)$/m);

    await fetch(
      `${server.url}/2017-03-31/tags/${encodeURIComponent('arn:aws:lambda:us-east-1:000000000000:function:listed-a')}`,
      { method: 'POST', body: JSON.stringify({ Tags: { team: 'core' } }) },
    );
    const json = JSON.parse((await nimbus('fn', 'get', 'listed-a', '--json')).stdout);
    expect(json.function.Configuration.FunctionName).toBe('listed-a');
    expect(json.function.Tags).toEqual({ team: 'core' });
    expect(json.status).toMatchObject({ functionName: 'listed-a', inFlight: 0, sandboxes: { sandboxes: 1 } });
    expect((await nimbus('fn', 'get', 'listed-a')).stdout).toMatch(/^Tags\s+team=core$/m);
  });

  it('deletes a function; a second delete is a not-found error', async () => {
    const r = await nimbus('function', 'delete', 'listed-b');
    expect(r).toEqual({ code: 0, stdout: 'Deleted function listed-b\n', stderr: '' });
    const again = await nimbus('fn', 'rm', 'listed-b');
    expect(again).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'nimbus: ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:000000000000:function:listed-b\n',
    });
    const get = await nimbus('fn', 'get', 'listed-b');
    expect(get.code).toBe(2);
    expect(get.stderr).toMatch(/^nimbus: ResourceNotFoundException: Function not found: arn:/);
  });
});
