import {
  CreateAliasCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
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

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:';
/** Reports which code ran and what the function saw of itself. */
const handler = (tag: string) => ({
  'index.js': `exports.handler = async () => ({ tag: ${JSON.stringify(tag)}, arn: arguments[1]?.invokedFunctionArn,
    version: process.env.AWS_LAMBDA_FUNCTION_VERSION });
exports.handler = async (event, context) => ({ tag: ${JSON.stringify(tag)}, arn: context.invokedFunctionArn,
    version: context.functionVersion, envVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION });`,
});

async function invoke(name: string, qualifier?: string) {
  const out = await s.lambda.send(
    new InvokeCommand({ FunctionName: name, ...(qualifier ? { Qualifier: qualifier } : {}) }),
  );
  return {
    executed: out.ExecutedVersion,
    body: decodeJson(out.Payload) as { tag: string; arn: string; version: string; envVersion: string },
  };
}

describe('versions', () => {
  it('publishes snapshots, numbers them, and publishes nothing when nothing changed', async () => {
    await createFunction(s.lambda, 'ver', handler('v1'));
    const v1 = await s.lambda.send(new PublishVersionCommand({ FunctionName: 'ver', Description: 'first' }));
    expect(v1.$metadata.httpStatusCode).toBe(201);
    expect(v1).toMatchObject({
      Version: '1',
      FunctionArn: `${ARN}ver:1`,
      Description: 'first',
      State: 'Active',
    });
    const again = await s.lambda.send(new PublishVersionCommand({ FunctionName: 'ver' }));
    expect(again.Version).toBe('1');
    expect(again.RevisionId).toBe(v1.RevisionId);

    await s.lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'ver', ZipFile: await makeZip(handler('v2')) }),
    );
    const latest = await s.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'ver' }));
    const v2 = await s.lambda.send(
      new PublishVersionCommand({
        FunctionName: 'ver',
        CodeSha256: latest.CodeSha256,
        RevisionId: latest.RevisionId,
      }),
    );
    expect(v2.Version).toBe('2');
    expect(v2.CodeSha256).toBe(latest.CodeSha256);

    // Published code is immutable: $LATEST moves on, versions keep theirs.
    await s.lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'ver', ZipFile: await makeZip(handler('v3')) }),
    );
    expect((await invoke('ver')).body.tag).toBe('v3');
    const one = await invoke('ver', '1');
    expect(one).toMatchObject({
      executed: '1',
      body: { tag: 'v1', arn: `${ARN}ver:1`, version: '1', envVersion: '1' },
    });
    expect((await invoke(`${ARN}ver:2`)).body.tag).toBe('v2');
    expect((await invoke('ver:$LATEST')).executed).toBe('$LATEST');
  });

  it('lists $LATEST first with a qualified ARN, then versions in order, with paging', async () => {
    const all = await s.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'ver' }));
    expect(all.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '1', '2']);
    expect(all.Versions?.[0]?.FunctionArn).toBe(`${ARN}ver:$LATEST`);
    const page = await s.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'ver', MaxItems: 2 }));
    expect(page.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '1']);
    const rest = await s.lambda.send(
      new ListVersionsByFunctionCommand({ FunctionName: 'ver', Marker: page.NextMarker }),
    );
    expect(rest.Versions?.map((v) => v.Version)).toEqual(['2']);
    expect(rest.NextMarker).toBeUndefined();
    const fns = await s.lambda.send(new ListFunctionsCommand({ FunctionVersion: 'ALL' }));
    expect(fns.Functions?.filter((f) => f.FunctionName === 'ver').map((f) => f.FunctionArn)).toEqual([
      `${ARN}ver:$LATEST`,
      `${ARN}ver:1`,
      `${ARN}ver:2`,
    ]);
  });

  it('reads a version by qualifier and refuses unknown ones', async () => {
    const got = await s.lambda.send(new GetFunctionCommand({ FunctionName: 'ver', Qualifier: '1' }));
    expect(got.Configuration).toMatchObject({ Version: '1', FunctionArn: `${ARN}ver:1` });
    await expect(
      s.lambda.send(new GetFunctionCommand({ FunctionName: 'ver', Qualifier: '9' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Function not found: ${ARN}ver:9`,
    });
    await expect(s.lambda.send(new InvokeCommand({ FunctionName: 'ver:9' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('checks CodeSha256 and RevisionId before publishing', async () => {
    await expect(
      s.lambda.send(new PublishVersionCommand({ FunctionName: 'ver', CodeSha256: 'AAAA' })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: expect.stringMatching(/^CodeSHA256 \(AAAA\) is different from current CodeSHA256 in \$LATEST/),
    });
    await expect(
      s.lambda.send(new PublishVersionCommand({ FunctionName: 'ver', RevisionId: 'stale' })),
    ).rejects.toMatchObject({ name: 'PreconditionFailedException', $metadata: { httpStatusCode: 412 } });
    const list = await s.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'ver' }));
    expect(list.Versions).toHaveLength(3);
  });

  it('publishes with Publish: true on create and on code updates', async () => {
    const created = await createFunction(s.lambda, 'pub', handler('a'), { Publish: true });
    expect(created).toMatchObject({ Version: '1', FunctionArn: `${ARN}pub:1` });
    const updated = await s.lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: 'pub',
        ZipFile: await makeZip(handler('b')),
        Publish: true,
      }),
    );
    expect(updated).toMatchObject({ Version: '2', FunctionArn: `${ARN}pub:2` });
    expect((await invoke('pub', '2')).body.tag).toBe('b');
  });

  it('deletes one version, never $LATEST alone, and numbers are not reused', async () => {
    await s.lambda.send(new DeleteFunctionCommand({ FunctionName: 'pub', Qualifier: '2' }));
    await expect(
      s.lambda.send(new InvokeCommand({ FunctionName: 'pub', Qualifier: '2' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(
      s.lambda.send(new DeleteFunctionCommand({ FunctionName: 'pub', Qualifier: '$LATEST' })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: '$LATEST version cannot be deleted without deleting the function.',
    });
    await s.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'pub', Description: 'changed', Timeout: 5 }),
    );
    const v3 = await s.lambda.send(new PublishVersionCommand({ FunctionName: 'pub' }));
    expect(v3.Version).toBe('3');
  });
});

describe('aliases', () => {
  it('creates, reads, lists, updates and deletes aliases', async () => {
    const created = await s.lambda.send(
      new CreateAliasCommand({
        FunctionName: 'ver',
        Name: 'live',
        FunctionVersion: '1',
        Description: 'prod',
      }),
    );
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created).toMatchObject({
      AliasArn: `${ARN}ver:live`,
      Name: 'live',
      FunctionVersion: '1',
      Description: 'prod',
    });
    expect(created.RevisionId).toMatch(/^[0-9a-f-]{36}$/);
    const got = await s.lambda.send(new GetAliasCommand({ FunctionName: 'ver', Name: 'live' }));
    expect(got.RevisionId).toBe(created.RevisionId);

    const through = await invoke('ver', 'live');
    expect(through).toMatchObject({
      executed: '1',
      body: { tag: 'v1', arn: `${ARN}ver:live`, version: '1' },
    });
    const cfg = await s.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: 'ver', Qualifier: 'live' }),
    );
    expect(cfg).toMatchObject({ Version: '1', FunctionArn: `${ARN}ver:live` });

    await expect(
      s.lambda.send(
        new UpdateAliasCommand({
          FunctionName: 'ver',
          Name: 'live',
          FunctionVersion: '2',
          RevisionId: 'old',
        }),
      ),
    ).rejects.toMatchObject({ name: 'PreconditionFailedException' });
    const moved = await s.lambda.send(
      new UpdateAliasCommand({
        FunctionName: 'ver',
        Name: 'live',
        FunctionVersion: '2',
        RevisionId: got.RevisionId,
      }),
    );
    expect(moved.FunctionVersion).toBe('2');
    expect(moved.RevisionId).not.toBe(got.RevisionId);
    expect((await invoke('ver:live')).body.tag).toBe('v2');

    await s.lambda.send(
      new CreateAliasCommand({ FunctionName: 'ver', Name: 'edge', FunctionVersion: '$LATEST' }),
    );
    const list = await s.lambda.send(new ListAliasesCommand({ FunctionName: 'ver' }));
    expect(list.Aliases?.map((a) => a.Name)).toEqual(['edge', 'live']);
    const onTwo = await s.lambda.send(new ListAliasesCommand({ FunctionName: 'ver', FunctionVersion: '2' }));
    expect(onTwo.Aliases?.map((a) => a.Name)).toEqual(['live']);
    await s.lambda.send(new DeleteAliasCommand({ FunctionName: 'ver', Name: 'edge' }));
    await expect(
      s.lambda.send(new GetAliasCommand({ FunctionName: 'ver', Name: 'edge' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Cannot find alias arn: ${ARN}ver:edge`,
    });
  });

  it('refuses to delete a version an alias points to', async () => {
    await expect(
      s.lambda.send(new DeleteFunctionCommand({ FunctionName: 'ver', Qualifier: '2' })),
    ).rejects.toMatchObject({
      name: 'ResourceConflictException',
      $metadata: { httpStatusCode: 409 },
      message: 'Unable to delete version because the following aliases reference it: [live]',
    });
  });

  it('routes by weight: ~30% to the additional version over 1,000 invokes', async () => {
    await s.lambda.send(
      new UpdateAliasCommand({
        FunctionName: 'ver',
        Name: 'live',
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: { '2': 0.3 } },
      }),
    );
    const got = await s.lambda.send(new GetAliasCommand({ FunctionName: 'ver', Name: 'live' }));
    expect(got.RoutingConfig).toEqual({ AdditionalVersionWeights: { '2': 0.3 } });
    const counts: Record<string, number> = {};
    const n = 1000;
    for (let i = 0; i < n; i += 20) {
      const batch = await Promise.all(Array.from({ length: 20 }, () => invoke('ver', 'live')));
      for (const r of batch) {
        // The header says which version ran, and that version's code answered.
        expect(r.body.tag).toBe(r.executed === '2' ? 'v2' : 'v1');
        expect(r.body.version).toBe(r.executed);
        expect(r.body.arn).toBe(`${ARN}ver:live`);
        counts[r.executed!] = (counts[r.executed!] ?? 0) + 1;
      }
    }
    expect(Object.keys(counts).sort()).toEqual(['1', '2']);
    // Binomial(1000, 0.3): sd ≈ 14.5; ±5 sd keeps a false failure below one in a million.
    expect(counts['2']).toBeGreaterThan(300 - 73);
    expect(counts['2']).toBeLessThan(300 + 73);
    // An alias with routing keeps both versions alive.
    await expect(
      s.lambda.send(new DeleteFunctionCommand({ FunctionName: 'ver', Qualifier: '2' })),
    ).rejects.toMatchObject({
      name: 'ResourceConflictException',
    });
    // Removing the routing sends everything to the primary version again.
    await s.lambda.send(new UpdateAliasCommand({ FunctionName: 'ver', Name: 'live', RoutingConfig: {} }));
    const after = await Promise.all(Array.from({ length: 20 }, () => invoke('ver', 'live')));
    expect(new Set(after.map((r) => r.executed))).toEqual(new Set(['1']));
  }, 120_000);

  it('refuses bad aliases with AWS errors, changing nothing', async () => {
    const bad = async (input: ConstructorParameters<typeof CreateAliasCommand>[0]) =>
      s.lambda.send(new CreateAliasCommand(input)).then(
        () => undefined,
        (e: Error & { $metadata?: { httpStatusCode?: number } }) => ({
          name: e.name,
          message: e.message,
          status: e.$metadata?.httpStatusCode,
        }),
      );
    expect(
      await bad({
        FunctionName: 'ver',
        Name: 'w',
        FunctionVersion: '$LATEST',
        RoutingConfig: { AdditionalVersionWeights: { '1': 0.5 } },
      }),
    ).toEqual({
      name: 'InvalidParameterValueException',
      message: '$LATEST is not supported for an alias pointing to more than 1 version',
      status: 400,
    });
    expect(
      await bad({
        FunctionName: 'ver',
        Name: 'w',
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: { '2': 1.5 } },
      }),
    ).toEqual({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value '{2=1.5}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0]",
      status: 400,
    });
    expect(
      await bad({
        FunctionName: 'ver',
        Name: 'w',
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: { '2': -0.1 } },
      }),
    ).toMatchObject({
      name: 'ValidationException',
    });
    expect(await bad({ FunctionName: 'ver', Name: 'w', FunctionVersion: '7' })).toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Function not found: ${ARN}ver:7`,
    });
    expect(
      await bad({
        FunctionName: 'ver',
        Name: 'w',
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: { '1': 0.5 } },
      }),
    ).toMatchObject({
      name: 'InvalidParameterValueException',
    });
    expect(await bad({ FunctionName: 'ver', Name: 'live', FunctionVersion: '1' })).toMatchObject({
      name: 'ResourceConflictException',
      message: `Alias already exists: ${ARN}ver:live`,
    });
    expect(await bad({ FunctionName: 'ver', Name: '123', FunctionVersion: '1' })).toMatchObject({
      name: 'ValidationException',
    });
    const list = await s.lambda.send(new ListAliasesCommand({ FunctionName: 'ver' }));
    expect(list.Aliases?.map((a) => a.Name)).toEqual(['live']);
  });

  it('DeleteFunction without a qualifier removes versions and aliases', async () => {
    await s.lambda.send(new DeleteFunctionCommand({ FunctionName: 'ver' }));
    await createFunction(s.lambda, 'ver', handler('fresh'));
    const v = await s.lambda.send(new PublishVersionCommand({ FunctionName: 'ver' }));
    expect(v.Version).toBe('1');
    expect((await s.lambda.send(new ListAliasesCommand({ FunctionName: 'ver' }))).Aliases).toEqual([]);
    expect(decode((await s.lambda.send(new InvokeCommand({ FunctionName: 'ver:1' }))).Payload)).toContain(
      'fresh',
    );
  });
});
