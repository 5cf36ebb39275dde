import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction, decodeJson } from '../support/functions.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Limits also hold without bubblewrap: cgroups cap plain processes too. Skipped, with a message,
 * where the host does not let the server create cgroups.
 */
let s: TestServer;
let limits = 'none';
beforeAll(async () => {
  s = await startTestServer({ isolation: 'process' });
  limits = ((await (await fetch(`${s.url}/nimbus/v1/status`)).json()) as { sandboxing: { limits: string } })
    .sandboxing.limits;
  if (limits === 'none')
    console.warn('skipping cgroup limit tests: this host does not allow creating cgroups');
  await createFunction(s.lambda, 'glutton', {
    'index.js': `exports.handler = async () => { const a = []; for (;;) a.push(Buffer.alloc(1 << 20, 1)); };`,
  });
  await createFunction(
    s.lambda,
    'weights',
    {
      'index.js': `exports.handler = async () => { await new Promise((r) => setTimeout(r, 800)); return 'done'; };`,
    },
    { MemorySize: 1769 },
  );
  await createFunction(s.lambda, 'modest', {
    'index.js': `exports.handler = async () => Buffer.alloc(20 << 20, 1).length;`,
  });
});
afterAll(() => s.close());

/** The cgroup directories of each running sandbox, from the server's records. */
function recordedGroups(): string[][] {
  const dir = join(s.dataDir, 'run');
  return readdirSync(dir)
    .filter((f) => f !== 'cgroups')
    .map((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { cgroups: string[] }).cgroups);
}

function readAll(dirs: string[], file: string): string[] {
  return dirs.flatMap((d) => {
    try {
      return [readFileSync(join(d, file), 'utf8').trim()];
    } catch {
      return [];
    }
  });
}

describe('cgroup limits on plain processes', () => {
  it('ends a function past its memory with Runtime.OutOfMemory, Max Memory Used = Memory Size', async (ctx) => {
    if (limits === 'none') ctx.skip();
    const out = await s.lambda.send(new InvokeCommand({ FunctionName: 'glutton', LogType: 'Tail' }));
    expect((decodeJson(out.Payload) as { errorType: string }).errorType).toBe('Runtime.OutOfMemory');
    expect(Buffer.from(out.LogResult ?? '', 'base64').toString()).toMatch(
      /Memory Size: 128 MB\tMax Memory Used: 128 MB/,
    );
  });

  it('reports the memory a function really used', async (ctx) => {
    if (limits === 'none') ctx.skip();
    const out = await s.lambda.send(new InvokeCommand({ FunctionName: 'modest', LogType: 'Tail' }));
    const used = Number(
      /Max Memory Used: (\d+) MB/.exec(Buffer.from(out.LogResult ?? '', 'base64').toString())?.[1],
    );
    expect(used).toBeGreaterThan(20);
    expect(used).toBeLessThan(128);
  });

  it('caps memory at MemorySize, tasks at 1,024, and weights CPU by memory (1,769 MB = one vCPU)', async (ctx) => {
    if (limits === 'none') ctx.skip();
    const running = s.lambda.send(new InvokeCommand({ FunctionName: 'weights' }));
    const memory = String(1769 * 1_048_576);
    // While it runs, its groups are on record.
    let groups: string[] | undefined;
    for (let i = 0; i < 100 && !groups; i++) {
      groups = recordedGroups().find((g) =>
        [...readAll(g, 'memory.limit_in_bytes'), ...readAll(g, 'memory.max')].includes(memory),
      );
      if (!groups) await new Promise((r) => setTimeout(r, 20));
    }
    expect(readAll(groups ?? [], 'pids.max')).toEqual(['1024']);
    expect([...readAll(groups ?? [], 'cpu.shares'), ...readAll(groups ?? [], 'cpu.weight')]).toEqual([
      limits === 'cgroup-v2' ? '100' : '1024',
    ]);
    expect(decodeJson((await running).Payload)).toBe('done');
  });
});
