import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction } from '../support/functions.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { assertCliBuilt, cliFor, makeFolder } from './harness.js';

let s: TestServer;
let nimbus: ReturnType<typeof cliFor>;
beforeAll(async () => {
  assertCliBuilt();
  s = await startTestServer();
  nimbus = cliFor(s.url);
});
afterAll(() => s.close());

describe('nimbus version / alias', () => {
  it('publishes and lists versions', async () => {
    await createFunction(s.lambda, 'cli-ver', { 'index.js': 'exports.handler = async () => 1;' });
    const published = await nimbus('version', 'publish', 'cli-ver', '--description', 'first');
    expect(published.code, published.stderr).toBe(0);
    expect(published.stdout).toContain('Version 1 of cli-ver');
    const list = await nimbus('version', 'list', 'cli-ver');
    expect(list.stdout.split('\n')[0]).toMatch(/^VERSION\s+CODE SHA256/);
    expect(list.stdout).toMatch(/\n\$LATEST\s/);
    expect(list.stdout).toMatch(/\n1\s.*first/);
    const json = JSON.parse((await nimbus('version', 'list', 'cli-ver', '--json')).stdout) as {
      Versions: { Version: string }[];
    };
    expect(json.Versions.map((v) => v.Version)).toEqual(['$LATEST', '1']);
  });

  it('sets (creates, then updates) and lists aliases with a weight', async () => {
    await nimbus('version', 'publish', 'cli-ver');
    const created = await nimbus('alias', 'set', 'cli-ver', 'live', '1');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('Alias live of cli-ver -> version 1');
    // Same code: PublishVersion returned version 1 again, so publish a change first.
    await s.lambda.send(
      new (await import('@aws-sdk/client-lambda')).UpdateFunctionConfigurationCommand({
        FunctionName: 'cli-ver',
        Timeout: 7,
      }),
    );
    await nimbus('version', 'publish', 'cli-ver');
    const shifted = await nimbus('alias', 'set', 'cli-ver', 'live', '1', '--weight', '2=0.1');
    expect(shifted.code, shifted.stderr).toBe(0);
    expect(shifted.stdout).toContain('version 1 (90%) and version 2 (10%)');
    const list = await nimbus('alias', 'list', 'cli-ver');
    expect(list.stdout).toMatch(/live\s+1\s+2: 10%/);
    const bad = await nimbus('alias', 'set', 'cli-ver', 'live', '$LATEST', '--weight', '1=0.5');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('$LATEST is not supported for an alias pointing to more than 1 version');
  });

  it('deploy shows the build failing with the installer’s log', async () => {
    const { dir, cleanup } = makeFolder({
      'package.json': JSON.stringify({
        name: 'x',
        version: '1.0.0',
        dependencies: { 'nimbus-no-such-package-4f1c9e': '1.0.0' },
      }),
      'index.js': 'exports.handler = async () => 1;',
    });
    try {
      const r = await nimbus('function', 'deploy', dir, '--name', 'cli-build');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/npm install --omit=dev --ignore-scripts/);
      expect(r.stderr).toMatch(/function cli-build failed to deploy: npm install failed/);
    } finally {
      cleanup();
    }
  }, 60_000);
});
