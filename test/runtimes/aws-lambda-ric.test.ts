import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction, decodeJson } from '../support/functions.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { requireTool } from '../support/system-tools.js';
import type { ZipEntry } from '../support/zip.js';

/**
 * AWS's own Node.js runtime interface client (`aws-lambda-ric`, native code included) running as
 * a custom runtime against Nimbus's Runtime API: the proof that our Runtime API is the real one.
 * The package builds from source on Node 20 in about a minute, so it is not a project
 * dependency; `.ci/run` installs it into `.cache/aws-lambda-ric`.
 */
const RIC_PREFIX =
  process.env.NIMBUS_RIC_DIR ?? resolve(import.meta.dirname, '..', '..', '.cache', 'aws-lambda-ric');
const RIC_MODULES = join(RIC_PREFIX, 'node_modules');
const ric = requireTool(
  'aws-lambda-ric',
  existsSync(join(RIC_MODULES, 'aws-lambda-ric', 'rapid-client.node')) ? RIC_MODULES : undefined,
  `npm install --prefix ${RIC_PREFIX} aws-lambda-ric@4.0.2`,
);

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

/** The files of a folder as zip entries under `prefix`, keeping modes. */
function folderEntries(dir: string, prefix: string): Record<string, ZipEntry> {
  const out: Record<string, ZipEntry> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else
        out[`${prefix}/${relative(dir, p)}`] = {
          content: readFileSync(p),
          mode: 0o100000 | (st.mode & 0o777),
        };
    }
  };
  walk(dir);
  return out;
}

describe.skipIf(!ric)('the official aws-lambda-ric as a custom runtime', () => {
  it('serves invocations and errors through our Runtime API', async () => {
    await createFunction(
      s.lambda,
      'ric',
      {
        bootstrap: {
          content:
            '#!/bin/sh\nexec node "$LAMBDA_TASK_ROOT/node_modules/aws-lambda-ric/index.mjs" "$_HANDLER"\n',
          mode: 0o100755,
        },
        'index.js': `exports.handler = async (event, context) => {
          if (event.fail) throw new RangeError('out of range');
          return { echo: event, requestId: context.awsRequestId, fn: context.functionName, memory: context.memoryLimitInMB };
        };`,
        ...folderEntries(join(ric!, 'aws-lambda-ric'), 'node_modules/aws-lambda-ric'),
        ...folderEntries(join(ric!, '@aws', 'lambda-invoke-store'), 'node_modules/@aws/lambda-invoke-store'),
      },
      { Runtime: 'provided.al2023', Handler: 'index.handler' },
    );
    for (const n of [1, 2]) {
      const out = await s.lambda.send(
        new InvokeCommand({ FunctionName: 'ric', Payload: Buffer.from(JSON.stringify({ n })) }),
      );
      expect(out.FunctionError).toBeUndefined();
      expect(decodeJson(out.Payload)).toEqual({
        echo: { n },
        requestId: out.$metadata.requestId,
        fn: 'ric',
        memory: '128',
      });
    }
    const failed = await s.lambda.send(
      new InvokeCommand({ FunctionName: 'ric', Payload: Buffer.from('{"fail":true}') }),
    );
    expect(failed.FunctionError).toBe('Unhandled');
    expect(decodeJson(failed.Payload)).toMatchObject({
      errorType: 'RangeError',
      errorMessage: 'out of range',
    });
  });
});
