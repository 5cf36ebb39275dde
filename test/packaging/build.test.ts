import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  UpdateFunctionCodeCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectHostTools } from '../../src/main/host-tools.js';
import { closedPort } from '../cli/harness.js';
import { createFunction, decodeJson } from '../support/functions.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { makeZip } from '../support/zip.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const waitCfg = () => ({ client: s.lambda, maxWaitTime: 120, minDelay: 1, maxDelay: 1 });

/** A real, tiny npm package (no dependencies of its own) pinned by a lock file. */
const MS_PACKAGE = {
  'package.json': JSON.stringify({ name: 'fn', version: '1.0.0', dependencies: { ms: '2.1.3' } }),
  'package-lock.json': JSON.stringify({
    name: 'fn',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'fn', version: '1.0.0', dependencies: { ms: '2.1.3' } },
      'node_modules/ms': {
        version: '2.1.3',
        resolved: 'https://registry.npmjs.org/ms/-/ms-2.1.3.tgz',
        integrity:
          'sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==',
        license: 'MIT',
      },
    },
  }),
  'index.js': `const ms = require('ms'); exports.handler = async () => ({ ms: ms('2 days'), v: 1 });`,
};

async function invokeJson(name: string) {
  const out = await s.lambda.send(new InvokeCommand({ FunctionName: name }));
  return { error: out.FunctionError, body: decodeJson(out.Payload) as Record<string, unknown> };
}

describe('build at deploy', () => {
  it('installs production dependencies: Pending, then Active, then it runs', async () => {
    const created = await createFunction(s.lambda, 'with-deps', MS_PACKAGE);
    expect(created).toMatchObject({
      State: 'Pending',
      StateReasonCode: 'Creating',
      LastUpdateStatus: 'InProgress',
    });
    // Invoking before the build is done is refused the way Lambda refuses a Pending function.
    await expect(s.lambda.send(new InvokeCommand({ FunctionName: 'with-deps' }))).rejects.toMatchObject({
      name: 'ResourceConflictException',
    });
    expect((await waitUntilFunctionActiveV2(waitCfg(), { FunctionName: 'with-deps' })).state).toBe('SUCCESS');
    expect(await invokeJson('with-deps')).toEqual({ error: undefined, body: { ms: 172_800_000, v: 1 } });
    const build = (await (await fetch(`${s.url}/nimbus/v1/functions/with-deps/build`)).json()) as {
      log: { message: string }[];
    };
    const log = build.log.map((l) => l.message).join('\n');
    expect(log).toContain('npm ci --omit=dev --ignore-scripts');
    expect(log).toMatch(/build finished/);
  }, 120_000);

  it('reuses the built image for an identical deployment', async () => {
    const again = await createFunction(s.lambda, 'with-deps-2', MS_PACKAGE);
    expect(again.State).toBe('Active');
    expect(await invokeJson('with-deps-2')).toEqual({ error: undefined, body: { ms: 172_800_000, v: 1 } });
  });

  it('a failed update leaves the previous code serving, with the installer’s message', async () => {
    const broken = {
      ...MS_PACKAGE,
      'package.json': JSON.stringify({
        name: 'fn',
        version: '1.0.0',
        dependencies: { 'nimbus-no-such-package-4f1c9e': '1.0.0' },
      }),
      'package-lock.json': undefined as unknown as string,
      'index.js': 'exports.handler = async () => ({ v: 2 });',
    };
    delete (broken as Record<string, string | undefined>)['package-lock.json'];
    const updated = await s.lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'with-deps', ZipFile: await makeZip(broken) }),
    );
    expect(updated.LastUpdateStatus).toBe('InProgress');
    // While it builds, the previous code serves.
    expect((await invokeJson('with-deps')).body).toMatchObject({ v: 1 });
    await expect(waitUntilFunctionUpdatedV2(waitCfg(), { FunctionName: 'with-deps' })).rejects.toThrow();
    const cfg = await s.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'with-deps' }));
    expect(cfg).toMatchObject({
      State: 'Active',
      LastUpdateStatus: 'Failed',
      LastUpdateStatusReasonCode: 'InvalidConfiguration',
    });
    expect(cfg.LastUpdateStatusReason).toMatch(/^npm install failed \(exit code \d+\): [\s\S]*(E404|404)/);
    expect((await invokeJson('with-deps')).body).toMatchObject({ v: 1 });
  }, 120_000);

  it('a failed creation leaves the function Failed with the reason; a broken lock file, a refused network', async () => {
    const port = await closedPort();
    await createFunction(s.lambda, 'bad-lock', {
      ...MS_PACKAGE,
      'package-lock.json': '{"lockfileVersion": 3, "packages": {',
    });
    await createFunction(s.lambda, 'no-network', {
      'package.json': JSON.stringify({ name: 'fn', version: '1.0.0', dependencies: { ms: '2.1.3' } }),
      '.npmrc': `registry=http://127.0.0.1:${port}/\nfetch-retries=0\n`,
      'index.js': 'exports.handler = async () => 1;',
    });
    for (const name of ['bad-lock', 'no-network']) {
      await expect(waitUntilFunctionActiveV2(waitCfg(), { FunctionName: name })).rejects.toThrow();
      const cfg = await s.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      expect(cfg).toMatchObject({
        State: 'Failed',
        StateReasonCode: 'InvalidConfiguration',
        LastUpdateStatus: 'Failed',
      });
      await expect(s.lambda.send(new InvokeCommand({ FunctionName: name }))).rejects.toMatchObject({
        name: 'ResourceNotReadyException',
      });
    }
    expect(
      (await s.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'bad-lock' }))).StateReason,
    ).toMatch(/^npm ci failed/);
    expect(
      (await s.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'no-network' }))).StateReason,
    ).toMatch(/ECONNREFUSED/);
    // GetFunction still hands back the code that failed to build.
    const got = await s.lambda.send(new GetFunctionCommand({ FunctionName: 'no-network' }));
    expect(got.Code?.Location).toMatch(/^http/);
  }, 120_000);

  it('transpiles a TypeScript handler with esbuild', async () => {
    await createFunction(s.lambda, 'ts', {
      'index.ts': `import { twice } from './util';
interface Event { n: number }
export const handler = async (event: Event): Promise<{ doubled: number }> => ({ doubled: twice(event.n) });`,
      'util.ts': 'export function twice(n: number): number { return n * 2; }',
    });
    expect((await waitUntilFunctionActiveV2(waitCfg(), { FunctionName: 'ts' })).state).toBe('SUCCESS');
    const out = await s.lambda.send(new InvokeCommand({ FunctionName: 'ts', Payload: '{"n":21}' }));
    expect(decodeJson(out.Payload)).toEqual({ doubled: 42 });
  }, 60_000);

  it('fails a TypeScript build with esbuild’s message', async () => {
    await createFunction(s.lambda, 'ts-broken', { 'index.ts': 'export const handler = async ( => 1;' });
    await expect(waitUntilFunctionActiveV2(waitCfg(), { FunctionName: 'ts-broken' })).rejects.toThrow();
    const cfg = await s.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'ts-broken' }));
    expect(cfg.StateReason).toMatch(/^TypeScript transpile failed: .*index\.ts/);
  }, 60_000);
});

const tools = detectHostTools();
describe.skipIf(!tools.python)('requirements.txt at deploy', () => {
  it('installs a requirement with pip (a wheel shipped in the zip: PyPI is not reachable here)', async () => {
    const wheel = await makeZip({
      'tinywheel/__init__.py': 'def hi():\n    return "installed by pip"\n',
      'tinywheel-1.0.dist-info/METADATA': 'Metadata-Version: 2.1\nName: tinywheel\nVersion: 1.0\n',
      'tinywheel-1.0.dist-info/WHEEL':
        'Wheel-Version: 1.0\nGenerator: nimbus-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
      'tinywheel-1.0.dist-info/RECORD':
        'tinywheel/__init__.py,,\ntinywheel-1.0.dist-info/METADATA,,\ntinywheel-1.0.dist-info/WHEEL,,\ntinywheel-1.0.dist-info/RECORD,,\n',
    });
    await createFunction(
      s.lambda,
      'py-req',
      {
        'lambda_function.py': 'import tinywheel\ndef lambda_handler(e, c):\n    return tinywheel.hi()\n',
        'requirements.txt': './wheels/tinywheel-1.0-py3-none-any.whl\n',
        'wheels/tinywheel-1.0-py3-none-any.whl': wheel,
      },
      { Runtime: 'python3.11', Handler: 'lambda_function.lambda_handler' },
    );
    const active = await waitUntilFunctionActiveV2(waitCfg(), { FunctionName: 'py-req' }).catch(
      async (e: Error) => e,
    );
    const cfg = await s.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'py-req' }));
    if (cfg.State === 'Failed') {
      // A host without pip must say so plainly.
      expect(cfg.StateReason).toMatch(/^pip is not available on this Nimbus server/);
      return;
    }
    expect(active).toMatchObject({ state: 'SUCCESS' });
    const out = await s.lambda.send(new InvokeCommand({ FunctionName: 'py-req' }));
    expect(decodeJson(out.Payload)).toBe('installed by pip');
  }, 120_000);

  it('a requirement pip cannot install fails the function with pip’s message', async () => {
    await createFunction(
      s.lambda,
      'py-req-bad',
      {
        'lambda_function.py': 'def lambda_handler(e, c):\n    return 1\n',
        'requirements.txt': 'nimbus-no-such-distribution-4f1c9e==9.9.9\n',
      },
      { Runtime: 'python3.11', Handler: 'lambda_function.lambda_handler' },
    );
    await expect(waitUntilFunctionActiveV2(waitCfg(), { FunctionName: 'py-req-bad' })).rejects.toThrow();
    const cfg = await s.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'py-req-bad' }));
    expect(cfg.State).toBe('Failed');
    expect(cfg.StateReason).toMatch(
      /^(pip install failed \(exit code \d+\): .*nimbus-no-such-distribution-4f1c9e|pip is not available on this Nimbus server)/s,
    );
  }, 120_000);
});
