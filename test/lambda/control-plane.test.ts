import {
  DeleteFunctionCommand,
  GetAccountSettingsCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListFunctionsCommand,
  ListTagsCommand,
  paginateListFunctions,
  ResourceConflictException,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction, decodeJson } from '../support/functions.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { makeZip } from '../support/zip.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const ARN_PREFIX = 'arn:aws:lambda:us-east-1:000000000000:function:';

describe('function lifecycle through @aws-sdk/client-lambda', () => {
  it('creates a function with every field clients read', async () => {
    const created = await createFunction(
      s.lambda,
      'lifecycle',
      { 'index.js': 'exports.handler = async () => "v1";' },
      {
        Description: 'first',
        Timeout: 10,
        MemorySize: 256,
        Environment: { Variables: { GREETING: 'hi' } },
        Tags: { team: 'core' },
        Architectures: ['arm64'],
      },
    );
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created).toMatchObject({
      FunctionName: 'lifecycle',
      FunctionArn: `${ARN_PREFIX}lifecycle`,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Description: 'first',
      Timeout: 10,
      MemorySize: 256,
      Version: '$LATEST',
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
      Architectures: ['arm64'],
      EphemeralStorage: { Size: 512 },
      TracingConfig: { Mode: 'PassThrough' },
      Environment: { Variables: { GREETING: 'hi' } },
      LoggingConfig: { LogFormat: 'Text', LogGroup: '/aws/lambda/lifecycle' },
    });
    expect(created.CodeSha256).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(created.CodeSize).toBeGreaterThan(0);
    expect(created.RevisionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
  });

  it('satisfies the SDK waiters at once', async () => {
    const cfg = { client: s.lambda, maxWaitTime: 5, minDelay: 1 };
    expect((await waitUntilFunctionActiveV2(cfg, { FunctionName: 'lifecycle' })).state).toBe('SUCCESS');
    expect((await waitUntilFunctionUpdatedV2(cfg, { FunctionName: 'lifecycle' })).state).toBe('SUCCESS');
  });

  it('gets the function with a working code download link', async () => {
    const got = await s.lambda.send(new GetFunctionCommand({ FunctionName: 'lifecycle' }));
    expect(got.Configuration?.FunctionName).toBe('lifecycle');
    expect(got.Code?.RepositoryType).toBe('S3');
    expect(got.Tags).toEqual({ team: 'core' });
    const res = await fetch(got.Code!.Location!);
    expect(res.status).toBe(200);
    const zip = Buffer.from(await res.arrayBuffer());
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(zip).digest('base64')).toBe(got.Configuration?.CodeSha256);
    const tampered = await fetch(got.Code!.Location!.replace(/signature=../, 'signature=00'));
    expect(tampered.status).toBe(404);
  });

  it('resolves every identifier form', async () => {
    for (const FunctionName of [
      'lifecycle',
      'lifecycle:$LATEST',
      '000000000000:function:lifecycle',
      `${ARN_PREFIX}lifecycle`,
      `${ARN_PREFIX}lifecycle:$LATEST`,
    ]) {
      const c = await s.lambda.send(new GetFunctionConfigurationCommand({ FunctionName }));
      expect(c.FunctionName).toBe('lifecycle');
    }
    await expect(
      s.lambda.send(
        new GetFunctionConfigurationCommand({
          FunctionName: 'arn:aws:lambda:eu-west-1:000000000000:function:lifecycle',
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('updates configuration and code, with a new revision each time', async () => {
    const before = await s.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'lifecycle' }));
    const cfg = await s.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'lifecycle',
        Timeout: 20,
        Description: 'second',
        Environment: { Variables: { GREETING: 'hello' } },
        RevisionId: before.RevisionId,
      }),
    );
    expect(cfg).toMatchObject({
      Timeout: 20,
      Description: 'second',
      MemorySize: 256,
      LastUpdateStatus: 'Successful',
    });
    expect(cfg.RevisionId).not.toBe(before.RevisionId);

    await expect(
      s.lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: 'lifecycle',
          Timeout: 5,
          RevisionId: before.RevisionId,
        }),
      ),
    ).rejects.toMatchObject({ name: 'PreconditionFailedException', $metadata: { httpStatusCode: 412 } });

    const zip = await makeZip({ 'index.js': 'exports.handler = async () => "v2";' });
    const code = await s.lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'lifecycle', ZipFile: zip }),
    );
    expect(code.CodeSha256).not.toBe(cfg.CodeSha256);
    const out = await s.lambda.send(new InvokeCommand({ FunctionName: 'lifecycle' }));
    expect(decodeJson(out.Payload)).toBe('v2');
  });

  it('refuses a second function with the same name', async () => {
    await expect(createFunction(s.lambda, 'lifecycle', { 'index.js': '' })).rejects.toSatisfy(
      (e: unknown) =>
        e instanceof ResourceConflictException && e.message === 'Function already exist: lifecycle',
    );
  });

  it('tags, untags and lists tags by ARN', async () => {
    const Resource = `${ARN_PREFIX}lifecycle`;
    await s.lambda.send(new TagResourceCommand({ Resource, Tags: { env: 'test', owner: 'me' } }));
    await s.lambda.send(new UntagResourceCommand({ Resource, TagKeys: ['owner'] }));
    const { Tags } = await s.lambda.send(new ListTagsCommand({ Resource }));
    expect(Tags).toEqual({ team: 'core', env: 'test' });
  });

  it('lists with Marker/MaxItems paging', async () => {
    for (const n of ['page-a', 'page-b', 'page-c']) await createFunction(s.lambda, n, { 'index.js': '' });
    const first = await s.lambda.send(new ListFunctionsCommand({ MaxItems: 2 }));
    expect(first.Functions).toHaveLength(2);
    expect(first.NextMarker).toBeTruthy();
    expect(first.Functions?.[0]).not.toHaveProperty('State');
    const names: string[] = [];
    for await (const page of paginateListFunctions({ client: s.lambda, pageSize: 1 }, {})) {
      names.push(...(page.Functions ?? []).map((f) => f.FunctionName!));
    }
    expect(names).toEqual(['lifecycle', 'page-a', 'page-b', 'page-c']);
  });

  it('reports account settings and usage', async () => {
    const a = await s.lambda.send(new GetAccountSettingsCommand({}));
    expect(a.AccountLimit).toMatchObject({ CodeSizeZipped: 52428800, CodeSizeUnzipped: 262144000 });
    expect(a.AccountUsage?.FunctionCount).toBe(4);
    expect(a.AccountUsage?.TotalCodeSize).toBeGreaterThan(0);
  });

  it('deletes a function and everything under its name', async () => {
    const del = await s.lambda.send(new DeleteFunctionCommand({ FunctionName: 'page-c' }));
    expect(del.$metadata.httpStatusCode).toBe(204);
    await expect(s.lambda.send(new GetFunctionCommand({ FunctionName: 'page-c' }))).rejects.toSatisfy(
      (e: unknown) =>
        e instanceof ResourceNotFoundException &&
        e.message === `Function not found: ${ARN_PREFIX}page-c` &&
        e.$metadata.httpStatusCode === 404,
    );
    await expect(s.lambda.send(new DeleteFunctionCommand({ FunctionName: 'page-c' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});

describe('persistence', () => {
  it('keeps functions, code and logs across a restart on the same data dir', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-restart-'));
    try {
      const a = await startTestServer({}, { dataDir });
      await createFunction(a.lambda, 'durable', {
        'index.js': 'exports.handler = async (e) => ({ echo: e });',
      });
      await a.close();
      const b = await startTestServer({}, { dataDir });
      try {
        const out = await b.lambda.send(
          new InvokeCommand({ FunctionName: 'durable', Payload: Buffer.from('{"x":1}') }),
        );
        expect(decodeJson(out.Payload)).toEqual({ echo: { x: 1 } });
      } finally {
        await b.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
