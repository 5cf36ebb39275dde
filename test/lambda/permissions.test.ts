import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AddPermissionCommand,
  type AddPermissionCommandInput,
  CreateAliasCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetPolicyCommand,
  InvokeCommand,
  type LambdaClient,
  PublishVersionCommand,
  RemovePermissionCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsCli, awsCli } from '../support/aws-cli.js';
import { createFunction, decodeJson } from '../support/functions.js';
import { startTestServer, type TestServer } from '../support/server.js';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function';
const HANDLER = { 'index.js': 'exports.handler = async (e) => ({ ok: true, e });' };

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const add = (input: Partial<AddPermissionCommandInput> & { FunctionName: string }) =>
  s.lambda.send(
    new AddPermissionCommand({
      StatementId: 'sid',
      Action: 'lambda:InvokeFunction',
      Principal: 's3.amazonaws.com',
      ...input,
    } as AddPermissionCommandInput),
  );

async function policyOf(lambda: LambdaClient, name: string, qualifier?: string) {
  const r = await lambda.send(
    new GetPolicyCommand({ FunctionName: name, ...(qualifier ? { Qualifier: qualifier } : {}) }),
  );
  return { policy: JSON.parse(r.Policy!) as { Statement: { Sid: string }[] }, revisionId: r.RevisionId };
}

/** The AWS error a call fails with: its name, HTTP status and message. */
async function failure(p: Promise<unknown>) {
  const e = (await p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (err: unknown) => err,
  )) as { name: string; message: string; $metadata: { httpStatusCode?: number } };
  return { name: e.name, status: e.$metadata.httpStatusCode, message: e.message };
}

describe('AddPermission / GetPolicy / RemovePermission (SDK)', () => {
  it('adds the statement AWS builds, returns it as a JSON string, and lists it in GetPolicy', async () => {
    await createFunction(s.lambda, 'pol-s3', HANDLER);
    const before = await s.lambda.send(new GetFunctionCommand({ FunctionName: 'pol-s3' }));
    const added = await add({
      FunctionName: 'pol-s3',
      StatementId: 's3invoke',
      SourceArn: 'arn:aws:s3:::bucket',
      SourceAccount: '000000000000',
    });
    expect(added.$metadata.httpStatusCode).toBe(201);
    // Byte for byte as AWS serialises it (member order included).
    expect(added.Statement).toBe(
      `{"Sid":"s3invoke","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"${ARN}:pol-s3","Condition":{"StringEquals":{"AWS:SourceAccount":"000000000000"},"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::bucket"}}}`,
    );
    const got = await s.lambda.send(new GetPolicyCommand({ FunctionName: 'pol-s3' }));
    expect(JSON.parse(got.Policy!)).toEqual({
      Version: '2012-10-17',
      Id: 'default',
      Statement: [JSON.parse(added.Statement!)],
    });
    // A policy change gives the function a new RevisionId, and GetPolicy reports that one.
    const after = await s.lambda.send(new GetFunctionCommand({ FunctionName: 'pol-s3' }));
    expect(after.Configuration!.RevisionId).not.toBe(before.Configuration!.RevisionId);
    expect(got.RevisionId).toBe(after.Configuration!.RevisionId);
    // Not enforced: the function still runs (Nimbus does not evaluate IAM).
    const inv = await s.lambda.send(new InvokeCommand({ FunctionName: 'pol-s3', Payload: '{"a":1}' }));
    expect(decodeJson(inv.Payload)).toEqual({ ok: true, e: { a: 1 } });
  });

  it('words principals and conditions as AWS does', async () => {
    await createFunction(s.lambda, 'pol-kinds', HANDLER);
    const statement = async (input: Partial<AddPermissionCommandInput>) =>
      JSON.parse((await add({ FunctionName: 'pol-kinds', ...input })).Statement!);
    expect(await statement({ StatementId: 'acct', Principal: '123456789012' })).toMatchObject({
      Principal: { AWS: 'arn:aws:iam::123456789012:root' },
    });
    expect(
      await statement({ StatementId: 'role', Principal: 'arn:aws:iam::123456789012:role/caller' }),
    ).toMatchObject({ Principal: { AWS: 'arn:aws:iam::123456789012:role/caller' } });
    expect(
      await statement({
        StatementId: 'url',
        Action: 'lambda:InvokeFunctionUrl',
        Principal: '*',
        FunctionUrlAuthType: 'NONE',
      }),
    ).toEqual({
      Sid: 'url',
      Effect: 'Allow',
      Principal: '*',
      Action: 'lambda:InvokeFunctionUrl',
      Resource: `${ARN}:pol-kinds`,
      Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } },
    });
    expect(
      await statement({ StatementId: 'via-url', Principal: '*', InvokedViaFunctionUrl: true }),
    ).toMatchObject({ Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } } });
    expect(
      await statement({
        StatementId: 'org',
        Action: 'lambda:*',
        Principal: '*',
        PrincipalOrgID: 'o-a1b2c3d4e5',
      }),
    ).toMatchObject({
      Action: 'lambda:*',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
    });
    expect(
      await statement({
        StatementId: 'alexa',
        Principal: 'alexa-connectedhome.amazon.com',
        EventSourceToken: 'amzn1.ask.skill.abc',
      }),
    ).toMatchObject({
      Principal: { Service: 'alexa-connectedhome.amazon.com' },
      Condition: { StringEquals: { 'lambda:EventSourceToken': 'amzn1.ask.skill.abc' } },
    });
    const { policy } = await policyOf(s.lambda, 'pol-kinds');
    expect(policy.Statement.map((x) => x.Sid)).toEqual(['acct', 'role', 'url', 'via-url', 'org', 'alexa']);
  });

  it('keeps one policy per version and alias, with qualified resources and their own revisions', async () => {
    await createFunction(s.lambda, 'pol-q', HANDLER);
    await s.lambda.send(new PublishVersionCommand({ FunctionName: 'pol-q' }));
    const alias = await s.lambda.send(
      new CreateAliasCommand({ FunctionName: 'pol-q', Name: 'live', FunctionVersion: '1' }),
    );
    const onVersion = JSON.parse((await add({ FunctionName: 'pol-q', Qualifier: '1' })).Statement!);
    expect(onVersion.Resource).toBe(`${ARN}:pol-q:1`);
    // The same statement id again, on the alias (named in the function name) and unqualified.
    const onAlias = JSON.parse((await add({ FunctionName: 'pol-q:live' })).Statement!);
    expect(onAlias.Resource).toBe(`${ARN}:pol-q:live`);
    await add({ FunctionName: `${ARN}:pol-q`, StatementId: 'plain' });

    expect((await policyOf(s.lambda, 'pol-q', '1')).policy.Statement.map((x) => x.Sid)).toEqual(['sid']);
    const live = await policyOf(s.lambda, 'pol-q', 'live');
    expect(live.policy.Statement.map((x) => x.Sid)).toEqual(['sid']);
    expect((await policyOf(s.lambda, 'pol-q')).policy.Statement.map((x) => x.Sid)).toEqual(['plain']);
    // `$LATEST` reads the unqualified function's policy.
    expect((await policyOf(s.lambda, 'pol-q', '$LATEST')).policy.Statement.map((x) => x.Sid)).toEqual([
      'plain',
    ]);

    const aliasNow = await s.lambda.send(new GetAliasCommand({ FunctionName: 'pol-q', Name: 'live' }));
    expect(aliasNow.RevisionId).not.toBe(alias.RevisionId);
    expect(live.revisionId).toBe(aliasNow.RevisionId);
    const v1 = await s.lambda.send(new GetFunctionCommand({ FunctionName: 'pol-q', Qualifier: '1' }));
    expect((await policyOf(s.lambda, 'pol-q', '1')).revisionId).toBe(v1.Configuration!.RevisionId);
    // A published version keeps running after its revision changed.
    const inv = await s.lambda.send(new InvokeCommand({ FunctionName: 'pol-q', Qualifier: 'live' }));
    expect(inv.ExecutedVersion).toBe('1');

    expect(await failure(add({ FunctionName: 'pol-q', Qualifier: '$LATEST' }))).toEqual({
      name: 'InvalidParameterValueException',
      status: 400,
      message: 'We currently do not support adding policies for $LATEST.',
    });
    expect(await failure(add({ FunctionName: 'pol-q', Qualifier: '7' }))).toEqual({
      name: 'ResourceNotFoundException',
      status: 404,
      message: `Function not found: ${ARN}:pol-q:7`,
    });
    expect(await failure(add({ FunctionName: 'pol-q', Qualifier: 'nope' }))).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 404,
    });
  });

  it("keeps a published version's warm sandbox when its policy (and so its RevisionId) changes", async () => {
    await createFunction(s.lambda, 'pol-warm', {
      'index.js': 'const id = Math.random(); exports.handler = async () => ({ id });',
    });
    await s.lambda.send(new PublishVersionCommand({ FunctionName: 'pol-warm' }));
    const sandboxOf = async () =>
      decodeJson(
        (await s.lambda.send(new InvokeCommand({ FunctionName: 'pol-warm', Qualifier: '1' }))).Payload,
      );
    const first = await sandboxOf();
    const before = await s.lambda.send(new GetFunctionCommand({ FunctionName: 'pol-warm', Qualifier: '1' }));
    await add({ FunctionName: 'pol-warm', Qualifier: '1' });
    const after = await s.lambda.send(new GetFunctionCommand({ FunctionName: 'pol-warm', Qualifier: '1' }));
    expect(after.Configuration!.RevisionId).not.toBe(before.Configuration!.RevisionId);
    expect(await sandboxOf()).toEqual(first);
  });

  it('refuses a duplicate statement id, an unknown function and a stale RevisionId', async () => {
    await createFunction(s.lambda, 'pol-dup', HANDLER);
    await add({ FunctionName: 'pol-dup', StatementId: 'one' });
    expect(await failure(add({ FunctionName: 'pol-dup', StatementId: 'one' }))).toEqual({
      name: 'ResourceConflictException',
      status: 409,
      message:
        'The statement id (one) provided already exists. Please provide a new statement id, or remove the existing statement.',
    });
    expect(await failure(add({ FunctionName: 'pol-missing' }))).toEqual({
      name: 'ResourceNotFoundException',
      status: 404,
      message: `Function not found: ${ARN}:pol-missing`,
    });
    const { revisionId } = await policyOf(s.lambda, 'pol-dup');
    expect(
      await failure(add({ FunctionName: 'pol-dup', StatementId: 'two', RevisionId: 'not-the-revision' })),
    ).toEqual({
      name: 'PreconditionFailedException',
      status: 412,
      message:
        'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
    });
    await add({ FunctionName: 'pol-dup', StatementId: 'two', RevisionId: revisionId });
    // The revision moved on: the old one is stale for RemovePermission too.
    expect(
      await failure(
        s.lambda.send(
          new RemovePermissionCommand({
            FunctionName: 'pol-dup',
            StatementId: 'one',
            RevisionId: revisionId,
          }),
        ),
      ),
    ).toMatchObject({ name: 'PreconditionFailedException', status: 412 });
    expect((await policyOf(s.lambda, 'pol-dup')).policy.Statement.map((x) => x.Sid)).toEqual(['one', 'two']);
  });

  it('removes statements, and the policy with its last one', async () => {
    await createFunction(s.lambda, 'pol-rm', HANDLER);
    expect(await failure(s.lambda.send(new GetPolicyCommand({ FunctionName: 'pol-rm' })))).toEqual({
      name: 'ResourceNotFoundException',
      status: 404,
      message: 'The resource you requested does not exist.',
    });
    expect(
      await failure(s.lambda.send(new RemovePermissionCommand({ FunctionName: 'pol-rm', StatementId: 'x' }))),
    ).toEqual({
      name: 'ResourceNotFoundException',
      status: 404,
      message: 'No policy is associated with the given resource.',
    });
    await add({ FunctionName: 'pol-rm', StatementId: 'a' });
    await add({ FunctionName: 'pol-rm', StatementId: 'b' });
    expect(
      await failure(
        s.lambda.send(new RemovePermissionCommand({ FunctionName: 'pol-rm', StatementId: 'zz' })),
      ),
    ).toEqual({
      name: 'ResourceNotFoundException',
      status: 404,
      message: 'Statement zz is not found in resource policy.',
    });
    const { revisionId } = await policyOf(s.lambda, 'pol-rm');
    const removed = await s.lambda.send(
      new RemovePermissionCommand({ FunctionName: 'pol-rm', StatementId: 'a', RevisionId: revisionId }),
    );
    expect(removed.$metadata.httpStatusCode).toBe(204);
    const left = await policyOf(s.lambda, 'pol-rm');
    expect(left.policy.Statement.map((x) => x.Sid)).toEqual(['b']);
    expect(left.revisionId).not.toBe(revisionId);
    await s.lambda.send(new RemovePermissionCommand({ FunctionName: 'pol-rm', StatementId: 'b' }));
    expect(await failure(s.lambda.send(new GetPolicyCommand({ FunctionName: 'pol-rm' })))).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'The resource you requested does not exist.',
    });
  });

  it('caps a policy at 20 KB', async () => {
    await createFunction(s.lambda, 'pol-big', HANDLER);
    const arn = (i: number) => `arn:aws:s3:::${'b'.repeat(60)}-${i}`;
    let i = 0;
    let refused: Awaited<ReturnType<typeof failure>> | undefined;
    while (!refused && i < 200) {
      const call = add({ FunctionName: 'pol-big', StatementId: `s${i}`, SourceArn: arn(i) });
      try {
        await call;
        i++;
      } catch {
        refused = await failure(call);
      }
    }
    expect(refused).toMatchObject({ name: 'PolicyLengthExceededException', status: 400 });
    expect(refused!.message).toMatch(/^The final policy size \(\d+\) is bigger than the limit \(20480\)\.$/);
    const { policy } = await policyOf(s.lambda, 'pol-big');
    expect(policy.Statement).toHaveLength(i);
    expect(Buffer.byteLength(JSON.stringify(policy))).toBeLessThanOrEqual(20_480);
  });

  it('answers bad input with AWS-shaped errors and changes nothing', async () => {
    await createFunction(s.lambda, 'pol-bad', HANDLER);
    await add({ FunctionName: 'pol-bad', StatementId: 'keep' });
    const { revisionId } = await policyOf(s.lambda, 'pol-bad');
    const cases: [Partial<AddPermissionCommandInput>, string, string][] = [
      [
        { StatementId: 'has space' },
        'ValidationException',
        "1 validation error detected: Value 'has space' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)",
      ],
      [
        { StatementId: 'x'.repeat(101) },
        'ValidationException',
        `1 validation error detected: Value '${'x'.repeat(101)}' at 'statementId' failed to satisfy constraint: Member must have length less than or equal to 100`,
      ],
      [
        { Action: 's3:GetObject' },
        'ValidationException',
        "1 validation error detected: Value 's3:GetObject' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])",
      ],
      [
        { Principal: undefined },
        'ValidationException',
        "1 validation error detected: Value null at 'principal' failed to satisfy constraint: Member must not be null",
      ],
      [
        { SourceAccount: '123' },
        'ValidationException',
        "1 validation error detected: Value '123' at 'sourceAccount' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{12}",
      ],
      [
        { SourceArn: 'not-an-arn' },
        'ValidationException',
        "1 validation error detected: Value 'not-an-arn' at 'sourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern:",
      ],
      [
        { FunctionUrlAuthType: 'OPEN' as 'NONE' },
        'ValidationException',
        "1 validation error detected: Value 'OPEN' at 'functionUrlAuthType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM]",
      ],
      [
        { Principal: 'somebody' },
        'InvalidParameterValueException',
        'The provided principal was invalid. Please check the principal and try again.',
      ],
    ];
    for (const [input, name, message] of cases) {
      const f = await failure(add({ FunctionName: 'pol-bad', StatementId: 'new', ...input }));
      expect(f.name).toBe(name);
      expect(f.status).toBe(400);
      expect(f.message.startsWith(message)).toBe(true);
    }
    expect(
      await failure(
        s.lambda.send(new RemovePermissionCommand({ FunctionName: 'pol-bad', StatementId: 'a b' })),
      ),
    ).toEqual({
      name: 'ValidationException',
      status: 400,
      message:
        "1 validation error detected: Value 'a b' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)",
    });
    const after = await policyOf(s.lambda, 'pol-bad');
    expect(after.policy.Statement.map((x) => x.Sid)).toEqual(['keep']);
    expect(after.revisionId).toBe(revisionId);
  });

  it('drops a policy with its alias or function', async () => {
    await createFunction(s.lambda, 'pol-gone', HANDLER);
    await s.lambda.send(new PublishVersionCommand({ FunctionName: 'pol-gone' }));
    await s.lambda.send(
      new CreateAliasCommand({ FunctionName: 'pol-gone', Name: 'a', FunctionVersion: '1' }),
    );
    await add({ FunctionName: 'pol-gone', Qualifier: 'a' });
    await add({ FunctionName: 'pol-gone' });
    await s.lambda.send(new DeleteAliasCommand({ FunctionName: 'pol-gone', Name: 'a' }));
    await s.lambda.send(
      new CreateAliasCommand({ FunctionName: 'pol-gone', Name: 'a', FunctionVersion: '1' }),
    );
    expect(
      await failure(s.lambda.send(new GetPolicyCommand({ FunctionName: 'pol-gone', Qualifier: 'a' }))),
    ).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'The resource you requested does not exist.',
    });

    await s.lambda.send(new DeleteFunctionCommand({ FunctionName: 'pol-gone' }));
    await createFunction(s.lambda, 'pol-gone', HANDLER);
    expect(await failure(s.lambda.send(new GetPolicyCommand({ FunctionName: 'pol-gone' })))).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'The resource you requested does not exist.',
    });
  });
});

describe('policies are durable', () => {
  it('survive a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-policy-restart-'));
    try {
      const a = await startTestServer({}, { dataDir });
      await createFunction(a.lambda, 'kept', HANDLER);
      await a.lambda.send(
        new AddPermissionCommand({
          FunctionName: 'kept',
          StatementId: 'events',
          Action: 'lambda:InvokeFunction',
          Principal: 'events.amazonaws.com',
          SourceArn: 'arn:aws:events:us-east-1:000000000000:rule/nightly',
        }),
      );
      const before = await policyOf(a.lambda, 'kept');
      await a.close();
      const b = await startTestServer({}, { dataDir });
      try {
        expect(await policyOf(b.lambda, 'kept')).toEqual(before);
      } finally {
        await b.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!findable())('AWS CLI v2: add-permission, get-policy, remove-permission', () => {
  let aws: AwsCli;
  beforeAll(() => {
    aws = awsCli(s.url)!;
  });
  const json = (r: { stdout: string }) => JSON.parse(r.stdout) as Record<string, string>;

  it('runs the tutorial lines', async () => {
    await createFunction(s.lambda, 'f', HANDLER);
    const added = await aws([
      'lambda',
      'add-permission',
      '--function-name',
      'f',
      '--statement-id',
      's3invoke',
      '--action',
      'lambda:InvokeFunction',
      '--principal',
      's3.amazonaws.com',
      '--source-arn',
      'arn:aws:s3:::bucket',
      '--source-account',
      '000000000000',
    ]);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(JSON.parse(json(added).Statement!)).toEqual({
      Sid: 's3invoke',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Resource: `${ARN}:f`,
      Condition: {
        StringEquals: { 'AWS:SourceAccount': '000000000000' },
        ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::bucket' },
      },
    });

    const got = await aws(['lambda', 'get-policy', '--function-name', 'f']);
    expect(got.code).toBe(0);
    const policy = JSON.parse(json(got).Policy!) as { Id: string; Statement: { Sid: string }[] };
    expect(policy.Id).toBe('default');
    expect(policy.Statement.map((x) => x.Sid)).toEqual(['s3invoke']);
    expect(json(got).RevisionId).toMatch(/^[0-9a-f-]{36}$/);

    const again = await aws([
      'lambda',
      'add-permission',
      '--function-name',
      'f',
      '--statement-id',
      's3invoke',
      '--action',
      'lambda:InvokeFunction',
      '--principal',
      's3.amazonaws.com',
    ]);
    expect(again.code).toBe(254);
    expect(again.stderr).toContain('(ResourceConflictException) when calling the AddPermission operation');

    const removed = await aws([
      'lambda',
      'remove-permission',
      '--function-name',
      'f',
      '--statement-id',
      's3invoke',
    ]);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toBe('');
    const none = await aws(['lambda', 'get-policy', '--function-name', 'f']);
    expect(none.code).toBe(254);
    expect(none.stderr).toContain(
      '(ResourceNotFoundException) when calling the GetPolicy operation: The resource you requested does not exist.',
    );
  });

  it('reports bad input as the CLI shows AWS errors', async () => {
    const bad = await aws([
      'lambda',
      'add-permission',
      '--function-name',
      'f',
      '--statement-id',
      'bad id',
      '--action',
      'lambda:InvokeFunction',
      '--principal',
      's3.amazonaws.com',
    ]);
    expect(bad.code).toBe(254);
    expect(bad.stderr).toContain('(ValidationException) when calling the AddPermission operation');
    const gone = await aws(['lambda', 'remove-permission', '--function-name', 'f', '--statement-id', 'nope']);
    expect(gone.code).toBe(254);
    expect(gone.stderr).toContain('(ResourceNotFoundException) when calling the RemovePermission operation');
  });
});

function findable(): boolean {
  return awsCli('http://127.0.0.1:1') !== undefined;
}
