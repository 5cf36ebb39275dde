import {
  CreateAliasCommand,
  CreateFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction } from '../support/functions.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { makeZip } from '../support/zip.js';

/** A function URL on an alias serves the alias's version, not `$LATEST`. */
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
  await createFunction(s.lambda, 'versioned', {
    'index.js':
      'exports.handler = async (e, ctx) => ({ statusCode: 200, body: "v1 " + ctx.functionVersion });',
  });
  await s.lambda.send(new PublishVersionCommand({ FunctionName: 'versioned' }));
  await s.lambda.send(
    new CreateAliasCommand({ FunctionName: 'versioned', Name: 'live', FunctionVersion: '1' }),
  );
  await s.lambda.send(
    new UpdateFunctionCodeCommand({
      FunctionName: 'versioned',
      ZipFile: await makeZip({
        'index.js':
          'exports.handler = async (e, ctx) => ({ statusCode: 200, body: "v2 " + ctx.functionVersion });',
      }),
    }),
  );
});
afterAll(() => s.close());

const pathOf = (functionUrl: string) =>
  `${s.url}/_aws/lambda-url/${new URL(functionUrl).hostname.split('.')[0]}/`;

describe('function URLs with a Qualifier (an alias)', () => {
  it('serve the version the alias points at', async () => {
    const aliased = await s.lambda.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: 'versioned', Qualifier: 'live', AuthType: 'NONE' }),
    );
    expect(aliased.FunctionArn).toBe('arn:aws:lambda:us-east-1:000000000000:function:versioned:live');
    const latest = await s.lambda.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: 'versioned', AuthType: 'NONE' }),
    );
    expect(await (await fetch(pathOf(aliased.FunctionUrl!))).text()).toBe('v1 1');
    expect(await (await fetch(pathOf(latest.FunctionUrl!))).text()).toBe('v2 $LATEST');
    const got = await s.lambda.send(
      new GetFunctionUrlConfigCommand({ FunctionName: 'versioned', Qualifier: 'live' }),
    );
    expect(got.FunctionUrl).toBe(aliased.FunctionUrl);
  });

  it('refuse an alias that does not exist', async () => {
    await expect(
      s.lambda.send(
        new CreateFunctionUrlConfigCommand({
          FunctionName: 'versioned',
          Qualifier: 'nope',
          AuthType: 'NONE',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
