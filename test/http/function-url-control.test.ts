import {
  CreateFunctionUrlConfigCommand,
  DeleteFunctionCommand,
  GetFunctionUrlConfigCommand,
  UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsCli, awsCli } from '../support/aws-cli.js';
import { createFunction } from '../support/functions.js';
import { httpRequest } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
let cli: AwsCli | undefined;
beforeAll(async () => {
  s = await startTestServer();
  cli = awsCli(s.url);
  await Promise.all(
    ['fn', 'cli-fn', 'iam-fn', 'doomed'].map((name) =>
      createFunction(s.lambda, name, {
        'index.js': 'exports.handler = async (e) => ({ auth: e.requestContext.authorizer });',
      }),
    ),
  );
});
afterAll(() => s.close());

const create = (input: Record<string, unknown>) =>
  s.lambda.send(
    new CreateFunctionUrlConfigCommand({ FunctionName: 'fn', AuthType: 'NONE', ...input } as never),
  );

describe('function URL bad input', () => {
  it('refuses bad CORS, auth types and invoke modes with ValidationException, creating nothing', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { Cors: { MaxAge: 86_401 } },
        /Value '86401' at 'cors.maxAge' failed to satisfy constraint: Member must have value less than or equal to 86400/,
      ],
      [
        { Cors: { AllowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] } },
        /'cors.allowMethods'.*length less than or equal to 6/,
      ],
      [{ Cors: { AllowMethods: ['CONNECTX'] } }, /'cors.allowMethods'/],
      [
        { AuthType: 'OPEN' },
        /'authType' failed to satisfy constraint: Member must satisfy enum value set: \[NONE, AWS_IAM\]/,
      ],
      [{ InvokeMode: 'FAST' }, /'invokeMode'/],
    ];
    for (const [input, message] of cases) {
      await expect(create(input), JSON.stringify(input)).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringMatching(message),
        $metadata: { httpStatusCode: 400 },
      });
    }
    await expect(
      s.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'fn' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('refuses a second URL, a missing function and a qualifier', async () => {
    await create({});
    await expect(create({})).rejects.toMatchObject({
      name: 'ResourceConflictException',
      message: expect.stringContaining('FunctionUrlConfig exists for this Lambda function'),
    });
    await expect(
      s.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'nope', AuthType: 'NONE' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(
      s.lambda.send(
        new CreateFunctionUrlConfigCommand({ FunctionName: 'fn', Qualifier: 'live', AuthType: 'NONE' }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(
      s.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'fn', Cors: { MaxAge: -1 } })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('goes away with its function', async () => {
    const { FunctionUrl } = await s.lambda.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: 'doomed', AuthType: 'NONE' }),
    );
    expect((await httpRequest(FunctionUrl!)).status).toBe(200);
    await s.lambda.send(new DeleteFunctionCommand({ FunctionName: 'doomed' }));
    expect((await httpRequest(FunctionUrl!)).status).toBe(404);
    await createFunction(s.lambda, 'doomed', { 'index.js': 'exports.handler = async () => 1;' });
    await expect(
      s.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'doomed' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('requires a signed request for AWS_IAM URLs and passes the caller to the function', async () => {
    const { FunctionUrl } = await s.lambda.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: 'iam-fn', AuthType: 'AWS_IAM' }),
    );
    const anonymous = await httpRequest(FunctionUrl!);
    expect(anonymous.status).toBe(403);
    expect(JSON.parse(anonymous.text).Message).toMatch(/^Forbidden/);
    const signed = await httpRequest(FunctionUrl!, {
      headers: {
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0',
      },
    });
    expect(signed.status).toBe(200);
    expect(JSON.parse(signed.text).auth.iam).toMatchObject({
      accessKey: 'AKIDEXAMPLE',
      accountId: '000000000000',
    });
  });
});

describe('function URLs through the AWS CLI', { timeout: 120_000 }, () => {
  it('create-function-url-config, get, update, list, delete', async ({ skip }) => {
    if (!cli) return skip();
    const created = await cli([
      'lambda',
      'create-function-url-config',
      '--function-name',
      'cli-fn',
      '--auth-type',
      'NONE',
      '--cors',
      'AllowOrigins=https://a.example,AllowMethods=GET,MaxAge=30',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const c = JSON.parse(created.stdout);
    expect(c).toMatchObject({
      AuthType: 'NONE',
      Cors: { AllowOrigins: ['https://a.example'], AllowMethods: ['GET'], MaxAge: 30 },
    });
    expect((await httpRequest(c.FunctionUrl)).status).toBe(200);
    // (CLI 2.9 predates InvokeMode.)
    const updated = await cli([
      'lambda',
      'update-function-url-config',
      '--function-name',
      'cli-fn',
      '--auth-type',
      'AWS_IAM',
    ]);
    expect(JSON.parse(updated.stdout).AuthType).toBe('AWS_IAM');
    expect((await httpRequest(c.FunctionUrl)).status).toBe(403);
    const got = JSON.parse(
      (await cli(['lambda', 'get-function-url-config', '--function-name', 'cli-fn'])).stdout,
    );
    expect(got.FunctionUrl).toBe(c.FunctionUrl);
    const listed = JSON.parse(
      (await cli(['lambda', 'list-function-url-configs', '--function-name', 'cli-fn'])).stdout,
    );
    expect(listed.FunctionUrlConfigs).toHaveLength(1);
    expect((await cli(['lambda', 'delete-function-url-config', '--function-name', 'cli-fn'])).code).toBe(0);
    const missing = await cli(['lambda', 'get-function-url-config', '--function-name', 'cli-fn']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('ResourceNotFoundException');
    const bad = await cli([
      'lambda',
      'create-function-url-config',
      '--function-name',
      'cli-fn',
      '--auth-type',
      'NONE',
      '--cors',
      'MaxAge=90000',
    ]);
    expect(bad.stderr).toContain('ValidationException');
  });
});
