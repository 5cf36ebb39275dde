import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { NimbusClient } from '../../src/cli/api-client.js';
import type { FunctionConfiguration } from '../../src/cli/api-types.js';
import { zipFolder } from '../../src/cli/code-package.js';
import { configurationChanges } from '../../src/cli/commands/function-deploy.js';
import { formatPayload } from '../../src/cli/commands/invoke.js';
import { formatEvent } from '../../src/cli/commands/logs.js';
import { ApiError, CliError } from '../../src/cli/errors.js';
import {
  formatAmount,
  formatBytes,
  formatLocalIso,
  formatUsd,
  parseLambdaTimestamp,
} from '../../src/cli/output/format.js';
import { renderFields, renderTable } from '../../src/cli/output/table.js';
import { parseSince } from '../../src/cli/since.js';
import { makeFolder } from './harness.js';

describe('renderTable / renderFields', () => {
  it('aligns columns, right-aligns numbers and trims trailing spaces', () => {
    const rows = [
      { name: 'a', size: 5, note: '' },
      { name: 'longer', size: 12345, note: 'two\nlines' },
    ];
    const out = renderTable(
      [
        { header: 'NAME', value: (r) => r.name },
        { header: 'SIZE', value: (r) => String(r.size), align: 'right' },
        { header: 'NOTE', value: (r) => r.note },
      ],
      rows,
    );
    expect(out).toBe('NAME     SIZE  NOTE\na           5\nlonger  12345  two lines\n');
  });

  it('renders label/value pairs, continuing multi-line values and skipping undefined', () => {
    expect(
      renderFields([
        ['Name', 'fn'],
        ['Skipped', undefined],
        ['Environment', 'A=1\nB=2'],
      ]),
    ).toBe('Name         fn\nEnvironment  A=1\n             B=2\n');
  });
});

describe('parseSince', () => {
  const now = Date.UTC(2025, 0, 31, 12, 0, 0);
  it('reads durations back from now', () => {
    expect(parseSince('30s', now)).toBe(now - 30_000);
    expect(parseSince('10m', now)).toBe(now - 600_000);
    expect(parseSince('1h30m', now)).toBe(now - 5_400_000);
    expect(parseSince('7d', now)).toBe(now - 7 * 86_400_000);
    expect(parseSince('2w', now)).toBe(now - 14 * 86_400_000);
  });

  it('reads ISO dates and times', () => {
    expect(parseSince('2025-01-30T00:00:00Z', now)).toBe(Date.UTC(2025, 0, 30));
    expect(parseSince('2025-01-30', now)).toBe(Date.UTC(2025, 0, 30));
    expect(parseSince('2025-01-30T10:00:00+02:00', now)).toBe(Date.UTC(2025, 0, 30, 8));
  });

  it('refuses anything else with a hint', () => {
    for (const bad of ['yesterday', '10', '5 minutes', '2025-13-45', '']) {
      expect(() => parseSince(bad, now)).toThrow(CliError);
    }
    expect(() => parseSince('soon', now, '--since')).toThrow(/use a duration back from now such as 30s/);
  });
});

describe('formatting', () => {
  it('formats sizes, amounts and dollars', () => {
    expect(formatBytes(312)).toBe('312 B');
    expect(formatBytes(4300)).toBe('4.2 KB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50 MB');
    expect(formatAmount(0)).toBe('0');
    expect(formatAmount(0.0125)).toBe('0.013');
    expect(formatAmount(0.0000034)).toBe('0.0000034');
    expect(formatAmount(12.5)).toBe('12.500');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(12.345)).toBe('$12.35');
    expect(formatUsd(5.5833365e-7)).toBe('$0.00000056');
  });

  it('prints local ISO times that parse back to the same instant', () => {
    const t = Date.UTC(2025, 11, 28, 14, 3, 5, 123);
    const text = formatLocalIso(t);
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.123[+-]\d\d:\d\d$/);
    expect(Date.parse(text)).toBe(t);
    expect(parseLambdaTimestamp('2020-04-10T19:06:32.563+0000')).toBe(Date.UTC(2020, 3, 10, 19, 6, 32, 563));
  });

  it('shows a log message with \\r as line breaks', () => {
    const e = { id: 1, timestamp: 0, logStream: 's', message: 'INFO\tone\rtwo\r\nthree\n' };
    expect(formatEvent(e)).toBe(`${formatLocalIso(0)} INFO\tone\ntwo\nthree\n`);
  });

  it('pretty-prints the invoke result for a terminal only', () => {
    const payload = Buffer.from('{"a":1}');
    expect(formatPayload(payload, false)).toBe(payload);
    expect(formatPayload(payload, true)).toBe('{\n  "a": 1\n}\n');
    expect(formatPayload(Buffer.from('not json'), true)).toBe('not json\n');
  });
});

describe('zipFolder', () => {
  it('is deterministic: the same files give the same bytes, whatever order they were written in', async () => {
    const a = makeFolder({ 'b.js': 'b', 'a/z.js': 'z', 'a/y.js': 'y', 'index.js': 'i' });
    const b = makeFolder({ 'index.js': 'i', 'a/y.js': 'y', 'a/z.js': 'z', 'b.js': 'b' });
    try {
      const [za, zb, za2] = await Promise.all([zipFolder(a.dir), zipFolder(b.dir), zipFolder(a.dir)]);
      expect(za.zip.equals(zb.zip)).toBe(true);
      expect(za.zip.equals(za2.zip)).toBe(true);
      expect(za.sha256).toBe(zb.sha256);
      expect(za.files).toEqual(['a/y.js', 'a/z.js', 'b.js', 'index.js']);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it('keeps executable bits, skips .git, and sorts entries', async () => {
    const f = makeFolder({
      'index.js': 'x',
      'bin/tool': '#!/bin/sh',
      '.git/HEAD': 'ref',
      'sub/.git': 'gitdir: x',
    });
    try {
      chmodSync(join(f.dir, 'bin/tool'), 0o755);
      mkdirSync(join(f.dir, 'empty'));
      writeFileSync(join(f.dir, '.env'), 'A=1');
      const pkg = await zipFolder(f.dir);
      const entries = await readZip(pkg.zip);
      expect(entries.map((e) => e.name)).toEqual(['.env', 'bin/tool', 'index.js']);
      expect(entries.find((e) => e.name === 'bin/tool')?.mode).toBe(0o100755);
      expect(entries.find((e) => e.name === 'index.js')?.mode).toBe(0o100644);
    } finally {
      f.cleanup();
    }
  });

  it('refuses an empty folder', async () => {
    const f = makeFolder({});
    try {
      await expect(zipFolder(f.dir)).rejects.toThrow(/has no files to deploy/);
    } finally {
      f.cleanup();
    }
  });
});

function readZip(zip: Buffer): Promise<{ name: string; mode: number }[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, file) => {
      if (err || !file) return reject(err);
      const entries: { name: string; mode: number }[] = [];
      file.on('entry', (e: yauzl.Entry) => {
        entries.push({ name: e.fileName, mode: e.externalFileAttributes >>> 16 });
        file.readEntry();
      });
      file.on('end', () => resolve(entries));
      file.on('error', reject);
      file.readEntry();
    });
  });
}

describe('configurationChanges', () => {
  const current: FunctionConfiguration = {
    FunctionName: 'f',
    FunctionArn: 'arn',
    Runtime: 'nodejs20.x',
    Handler: 'index.handler',
    CodeSize: 1,
    CodeSha256: 'x',
    Description: '',
    Timeout: 3,
    MemorySize: 128,
    LastModified: '',
    Environment: { Variables: { A: '1' } },
  };

  it('is undefined when nothing asked for differs', () => {
    expect(configurationChanges(current, {})).toBeUndefined();
    expect(
      configurationChanges(current, {
        handler: 'index.handler',
        timeout: 3,
        env: { A: '1' },
        description: '',
      }),
    ).toBeUndefined();
  });

  it('lists only the members that differ; --env replaces all variables', () => {
    expect(configurationChanges(current, { handler: 'app.run', timeout: 3, memory: 256 })).toEqual({
      Handler: 'app.run',
      MemorySize: 256,
    });
    expect(configurationChanges(current, { env: { B: '2' } })).toEqual({
      Environment: { Variables: { B: '2' } },
    });
    expect(configurationChanges({ ...current, Environment: undefined }, { env: {} })).toBeUndefined();
  });
});

describe('NimbusClient', () => {
  const fakeFetch =
    (answer: (url: URL, init?: RequestInit) => Response | Promise<Response>): typeof fetch =>
    async (input, init) =>
      answer(new URL(String(input)), init);
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('turns an error answer into a one-line ApiError from X-Amzn-ErrorType and message/Message', async () => {
    const client = new NimbusClient('http://nimbus.test/', {
      fetch: fakeFetch(() =>
        json(
          404,
          { Type: 'User', Message: 'Function not found: arn:x' },
          { 'x-amzn-errortype': 'ResourceNotFoundException:http://internal' },
        ),
      ),
    });
    const e = await client.getFunction('x').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ type: 'ResourceNotFoundException', status: 404 });
    expect((e as Error).message).toBe('ResourceNotFoundException: Function not found: arn:x');
    expect(await client.findFunction('x')).toBeUndefined();

    const typed = new NimbusClient('http://nimbus.test', {
      fetch: fakeFetch(() =>
        json(400, { __type: 'aws#InvalidParameterValueException', message: 'bad\nthing' }),
      ),
    });
    await expect(typed.status()).rejects.toThrow(/^InvalidParameterValueException: bad thing$/);
  });

  it('says when the endpoint does not answer like Nimbus', async () => {
    const html = new NimbusClient('http://nimbus.test', {
      fetch: fakeFetch(() => new Response('<html>nope</html>', { status: 404, statusText: 'Not Found' })),
    });
    await expect(html.status()).rejects.toThrow(/does not answer like a Nimbus server/);
    const wrongShape = new NimbusClient('http://nimbus.test', {
      fetch: fakeFetch(() => json(200, { hello: 1 })),
    });
    await expect(wrongShape.status()).rejects.toThrow(
      /unexpected answer to GET \/nimbus\/v1\/status .*version/,
    );
  });

  it('maps connection failures to one actionable line', async () => {
    const refused = new NimbusClient('http://127.0.0.1:9', {
      fetch: fakeFetch(() => {
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
        });
      }),
    });
    await expect(refused.status()).rejects.toThrow(
      /^the Nimbus server is not running at http:\/\/127\.0\.0\.1:9 \(connection refused\)\. Start it with `nimbus serve`/,
    );
  });

  it('follows NextMarker, encodes names, and returns the data as received', async () => {
    const seen: string[] = [];
    const fn = (name: string) => ({
      FunctionName: name,
      FunctionArn: `arn:${name}`,
      CodeSize: 1,
      CodeSha256: 's',
      Timeout: 3,
      MemorySize: 128,
      LastModified: '2025-01-01T00:00:00.000+0000',
      Extra: { kept: true },
    });
    const client = new NimbusClient('http://nimbus.test', {
      fetch: fakeFetch((url) => {
        seen.push(url.pathname + url.search);
        const marker = url.searchParams.get('Marker');
        return json(200, marker ? { Functions: [fn('b')] } : { Functions: [fn('a')], NextMarker: 'm1' });
      }),
    });
    const all = await client.listAllFunctions();
    expect(all.map((f) => f.FunctionName)).toEqual(['a', 'b']);
    expect(all[0]).toMatchObject({ Extra: { kept: true } });
    expect(seen).toEqual(['/2015-03-31/functions', '/2015-03-31/functions?Marker=m1']);

    seen.length = 0;
    await client
      .findFunction('arn:aws:lambda:us-east-1:000000000000:function:x:$LATEST')
      .catch(() => undefined);
    expect(seen[0]).toBe(
      '/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Ax%3A%24LATEST',
    );
  });
});
