import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DeleteLayerVersionCommand,
  GetFunctionConfigurationCommand,
  GetLayerVersionByArnCommand,
  GetLayerVersionCommand,
  InvokeCommand,
  ListLayersCommand,
  ListLayerVersionsCommand,
  PublishLayerVersionCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction, decode, decodeJson } from '../support/functions.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { makeZip } from '../support/zip.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const LAYER = 'arn:aws:lambda:us-east-1:000000000000:layer:';

async function publish(name: string, files: Record<string, string>, runtimes?: string[]) {
  return s.lambda.send(
    new PublishLayerVersionCommand({
      LayerName: name,
      Description: `${name} layer`,
      Content: { ZipFile: await makeZip(files) },
      ...(runtimes ? { CompatibleRuntimes: runtimes as never } : {}),
    }),
  );
}

describe('layers', () => {
  it('publishes, reads, lists and deletes layer versions', async () => {
    const v1 = await publish(
      'greet',
      { 'nodejs/node_modules/greet/index.js': "module.exports = (n) => 'hello ' + n;" },
      ['nodejs20.x'],
    );
    expect(v1.$metadata.httpStatusCode).toBe(201);
    expect(v1).toMatchObject({
      LayerArn: `${LAYER}greet`,
      LayerVersionArn: `${LAYER}greet:1`,
      Version: 1,
      CompatibleRuntimes: ['nodejs20.x'],
    });
    expect(v1.Content?.CodeSha256).toMatch(/=$/);
    expect(v1.CreatedDate).toMatch(/\+0000$/);
    const v2 = await publish('greet', {
      'nodejs/node_modules/greet/index.js': "module.exports = (n) => 'hi ' + n;",
    });
    expect(v2.Version).toBe(2);
    const got = await s.lambda.send(new GetLayerVersionCommand({ LayerName: 'greet', VersionNumber: 1 }));
    expect(got.Description).toBe('greet layer');
    const download = await fetch(got.Content!.Location!);
    expect(download.status).toBe(200);
    const byArn = await s.lambda.send(new GetLayerVersionByArnCommand({ Arn: `${LAYER}greet:2` }));
    expect(byArn.Version).toBe(2);
    const versions = await s.lambda.send(new ListLayerVersionsCommand({ LayerName: 'greet' }));
    expect(versions.LayerVersions?.map((v) => v.Version)).toEqual([2, 1]);
    const filtered = await s.lambda.send(
      new ListLayerVersionsCommand({ LayerName: 'greet', CompatibleRuntime: 'nodejs20.x' }),
    );
    expect(filtered.LayerVersions?.map((v) => v.Version)).toEqual([1]);
    const layers = await s.lambda.send(new ListLayersCommand({}));
    expect(layers.Layers?.find((l) => l.LayerName === 'greet')?.LatestMatchingVersion?.Version).toBe(2);
    await expect(
      s.lambda.send(new GetLayerVersionCommand({ LayerName: 'greet', VersionNumber: 9 })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('mounts layers in order at /opt: a dependency from nodejs/node_modules, later layers win', async () => {
    const extra = await publish('override', {
      'nodejs/node_modules/greet/index.js': "module.exports = (n) => 'override ' + n;",
      'data.txt': 'second',
    });
    await createFunction(
      s.lambda,
      'layered',
      {
        'index.js': `const fs = require('fs'); exports.handler = async () => ({ greeting: require('greet')('layer'), opt: process.env.NODE_PATH.split(':')[1] });`,
      },
      { Layers: [`${LAYER}greet:1`] },
    );
    const first = decodeJson(
      (await s.lambda.send(new InvokeCommand({ FunctionName: 'layered' }))).Payload,
    ) as { greeting: string };
    expect(first.greeting).toBe('hello layer');
    const cfg = await s.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'layered',
        Layers: [`${LAYER}greet:1`, extra.LayerVersionArn!],
      }),
    );
    expect(cfg.Layers?.map((l) => l.Arn)).toEqual([`${LAYER}greet:1`, `${LAYER}override:1`]);
    expect(cfg.Layers?.[0]?.CodeSize).toBeGreaterThan(0);
    const second = decodeJson(
      (await s.lambda.send(new InvokeCommand({ FunctionName: 'layered' }))).Payload,
    ) as { greeting: string };
    expect(second.greeting).toBe('override layer');
  });

  it('lets ES modules import packages from a layer, as the Node.js 18+ runtimes do', async () => {
    const layer = await publish('esm-deps', {
      // An ES-only package (exports map, no main), a CommonJS one and a scoped one.
      'nodejs/node_modules/shout/package.json':
        '{"name":"shout","type":"module","exports":{".":"./lib/shout.js"}}',
      'nodejs/node_modules/shout/lib/shout.js': "export default (s) => s.toUpperCase() + '!';",
      'nodejs/node_modules/plain-cjs/index.js': "module.exports = { from: 'layer' };",
      'nodejs/node_modules/@acme/util/package.json':
        '{"name":"@acme/util","type":"module","exports":"./u.js"}',
      'nodejs/node_modules/@acme/util/u.js': "export const where = 'scoped layer package';",
    });
    await createFunction(
      s.lambda,
      'esm-layered',
      {
        'index.mjs': `import shout from 'shout';
          import cjs from 'plain-cjs';
          import { where } from '@acme/util';
          export const handler = async (event) => {
            let missing;
            try { await import('not-installed-anywhere'); } catch (e) { missing = e.code; }
            return { shouted: shout('hi'), cjs: cjs.from, where, missing };
          };`,
        // The function's own node_modules still wins over the layer's.
        'node_modules/plain-cjs/index.js': "module.exports = { from: 'function' };",
      },
      { Layers: [layer.LayerVersionArn!] },
    );
    const out = await s.lambda.send(new InvokeCommand({ FunctionName: 'esm-layered' }));
    expect(out.FunctionError, decode(out.Payload)).toBeUndefined();
    expect(decodeJson(out.Payload)).toEqual({
      shouted: 'HI!',
      cjs: 'function',
      where: 'scoped layer package',
      missing: 'ERR_MODULE_NOT_FOUND',
    });
  });

  it('keeps a deleted layer version working for the functions that use it', async () => {
    await s.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'greet', VersionNumber: 1 }));
    await expect(
      s.lambda.send(new GetLayerVersionCommand({ LayerName: 'greet', VersionNumber: 1 })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await s.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'layered', Timeout: 9 }));
    const out = decodeJson((await s.lambda.send(new InvokeCommand({ FunctionName: 'layered' }))).Payload) as {
      greeting: string;
    };
    expect(out.greeting).toBe('override layer');
    // Numbers are not reused after a deletion.
    expect((await publish('greet', { 'x.txt': 'x' })).Version).toBe(3);
  });

  it('refuses bad layer lists with AWS errors', async () => {
    const py = await publish('py-only', { 'python/x.py': 'x = 1' }, ['python3.12']);
    const fail = (layers: string[]) =>
      createFunction(
        s.lambda,
        'bad-layers',
        { 'index.js': 'exports.handler = async () => 1;' },
        { Layers: layers },
      ).then(
        () => undefined,
        (e: Error) => ({ name: e.name, message: e.message }),
      );
    expect(await fail([py.LayerVersionArn!])).toEqual({
      name: 'InvalidParameterValueException',
      message: `Layer version ${LAYER}py-only:1 is not compatible with runtime nodejs20.x; its compatible runtimes are python3.12.`,
    });
    expect(await fail([`${LAYER}nope:1`])).toEqual({
      name: 'InvalidParameterValueException',
      message: `Layer version ${LAYER}nope:1 does not exist.`,
    });
    expect(await fail([`${LAYER}greet:2`, `${LAYER}greet:3`])).toMatchObject({
      name: 'InvalidParameterValueException',
    });
    const six = Array.from({ length: 6 }, (_, i) => `${LAYER}l${i}:1`);
    expect(await fail(six)).toEqual({
      name: 'InvalidParameterValueException',
      message: 'Cannot reference more than 5 layers.',
    });
    expect(await fail(['not-an-arn'])).toMatchObject({ name: 'ValidationException' });
    await expect(
      s.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'bad-layers' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

describe('environment variables at rest', () => {
  it('keeps values encrypted in the database and plain in the sandbox', async () => {
    const secret = 'sk_live_4f1c9e0a7b3d2c1e';
    await createFunction(
      s.lambda,
      'secretive',
      { 'index.js': 'exports.handler = async () => process.env.API_KEY;' },
      { Environment: { Variables: { API_KEY: secret } } },
    );
    expect(decodeJson((await s.lambda.send(new InvokeCommand({ FunctionName: 'secretive' }))).Payload)).toBe(
      secret,
    );
    const cfg = await s.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'secretive' }));
    expect(cfg.Environment?.Variables).toEqual({ API_KEY: secret });
    // Neither the database nor its write-ahead log holds the value.
    for (const file of ['nimbus.db', 'nimbus.db-wal']) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(join(s.dataDir, file));
      } catch {
        continue;
      }
      expect(bytes.includes(Buffer.from(secret))).toBe(false);
      expect(bytes.includes(Buffer.from('API_KEY'))).toBe(false);
    }
  });
});
