import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, resolveServerConfig } from '../../src/config/server-config.js';
import { awsCli } from '../support/aws-cli.js';
import { createFunction, decodeJson } from '../support/functions.js';
import { startTestServer, type TestServer } from '../support/server.js';

// Frozen: the AWS SDK decorates credential objects it is given (`$source`).
const ADMIN = Object.freeze({
  accessKeyId: 'NIMBUSADMINKEY0001',
  secretAccessKey: 'a-long-enough-secret-value',
});
let s: TestServer;
let admin: LambdaClient;
const client = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
  new LambdaClient({ endpoint: s.url, region: 'us-east-1', credentials, maxAttempts: 1 });

beforeAll(async () => {
  s = await startTestServer({ ...ADMIN });
  admin = client({ ...ADMIN });
  await createFunction(admin, 'secured', {
    'index.js': `exports.handler = async (e) => ({ e, creds: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
      sessionToken: process.env.AWS_SESSION_TOKEN } });`,
  });
});
afterAll(async () => {
  admin.destroy();
  await s.close();
});

describe('SigV4 authentication when a key is configured', () => {
  it('accepts requests the AWS SDK signs with the configured key (path labels, query, body)', async () => {
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:secured';
    expect(
      (await admin.send(new GetFunctionCommand({ FunctionName: arn }))).Configuration?.FunctionName,
    ).toBe('secured');
    expect((await admin.send(new ListFunctionsCommand({ MaxItems: 5 }))).Functions).toHaveLength(1);
    const out = await admin.send(
      new InvokeCommand({ FunctionName: 'secured', Payload: Buffer.from('{"x":1}') }),
    );
    expect((decodeJson(out.Payload) as { e: unknown }).e).toEqual({ x: 1 });
  });

  it('refuses a wrong secret, an unknown key and an unsigned request, as AWS words it', async () => {
    const wrong = client({ accessKeyId: ADMIN.accessKeyId, secretAccessKey: 'not-the-secret-at-all' });
    await expect(wrong.send(new ListFunctionsCommand({}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403 },
    });
    const unknown = client({ accessKeyId: 'AKIAUNKNOWN0000000', secretAccessKey: ADMIN.secretAccessKey });
    await expect(unknown.send(new ListFunctionsCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
    const res = await fetch(`${s.url}/2015-03-31/functions`);
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    wrong.destroy();
    unknown.destroy();
  });

  it('detects a body changed after signing', async () => {
    const tampering = new LambdaClient({
      endpoint: s.url,
      region: 'us-east-1',
      credentials: { ...ADMIN },
      maxAttempts: 1,
      requestHandler: {
        handle: async (req: { body: unknown }) => {
          const { NodeHttpHandler } = await import('@smithy/node-http-handler');
          req.body = '{"x":2}';
          return new NodeHttpHandler().handle(req as never);
        },
      } as never,
    });
    await expect(
      tampering.send(new InvokeCommand({ FunctionName: 'secured', Payload: Buffer.from('{"x":1}') })),
    ).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    tampering.destroy();
  });

  it("accepts the function's own credentials (with their session token) and nothing less", async () => {
    const out = await admin.send(new InvokeCommand({ FunctionName: 'secured', Payload: Buffer.from('{}') }));
    const { creds } = decodeJson(out.Payload) as {
      creds: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
    };
    const fn = client(creds);
    expect((await fn.send(new ListFunctionsCommand({}))).Functions).toHaveLength(1);
    const noToken = client({ accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey });
    await expect(noToken.send(new ListFunctionsCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    fn.destroy();
    noToken.destroy();
  });

  it('keeps pre-signed code links and /healthz open', async () => {
    const got = await admin.send(new GetFunctionCommand({ FunctionName: 'secured' }));
    expect((await fetch(got.Code!.Location!)).status).toBe(200);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  });

  it('works with the AWS CLI v2 and the nimbus CLI given the key, and not without', async () => {
    const aws = awsCli(s.url);
    if (aws) {
      // awsCli() signs with test/test: refused.
      const refused = await aws(['lambda', 'list-functions']);
      expect(refused.code).toBe(254);
      expect(refused.stderr).toContain('UnrecognizedClientException');
    }
    const cli = (env: Record<string, string>) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((ok) =>
        execFile(
          process.execPath,
          [
            join(import.meta.dirname, '..', '..', 'bin', 'nimbus.js'),
            'function',
            'list',
            '--json',
            '--endpoint',
            s.url,
          ],
          { env: { PATH: process.env.PATH ?? '', ...env } },
          (err, stdout, stderr) => ok({ code: err ? Number(err.code) : 0, stdout, stderr }),
        ),
      );
    const signed = await cli({
      NIMBUS_ACCESS_KEY_ID: ADMIN.accessKeyId,
      NIMBUS_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
    });
    expect(signed.code).toBe(0);
    expect(JSON.parse(signed.stdout).Functions).toHaveLength(1);
    const unsigned = await cli({});
    expect(unsigned.code).toBe(2);
    expect(unsigned.stderr).toContain('MissingAuthenticationTokenException');
  });
});

describe('configuration', () => {
  it('requires credentials to listen beyond loopback', () => {
    expect(() => resolveServerConfig({ host: '0.0.0.0' }, {})).toThrow(ConfigError);
    expect(resolveServerConfig({ host: '0.0.0.0', ...ADMIN }, {}).accessKeyId).toBe(ADMIN.accessKeyId);
    expect(() => resolveServerConfig({ accessKeyId: ADMIN.accessKeyId }, {})).toThrow(ConfigError);
  });
});

describe('AWS CLI v2 with the configured key', () => {
  it('signs and is accepted', async () => {
    const home = mkdtempSync(join(tmpdir(), 'nimbus-cred-'));
    writeFileSync(
      join(home, 'credentials'),
      `[default]\naws_access_key_id=${ADMIN.accessKeyId}\naws_secret_access_key=${ADMIN.secretAccessKey}\n`,
    );
    const aws = awsCli(s.url);
    if (!aws) return;
    const r = await new Promise<{ code: number; stdout: string }>((ok) =>
      execFile(
        '/usr/bin/aws',
        [
          'lambda',
          'get-function',
          '--function-name',
          'arn:aws:lambda:us-east-1:000000000000:function:secured',
          '--endpoint-url',
          s.url,
        ],
        {
          env: {
            PATH: process.env.PATH ?? '',
            HOME: home,
            AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
            AWS_CONFIG_FILE: join(home, 'config'),
            AWS_DEFAULT_REGION: 'us-east-1',
          },
        },
        (err, stdout) => ok({ code: err ? Number(err.code) : 0, stdout }),
      ),
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).Configuration.FunctionName).toBe('secured');
  });
});

describe('every AWS surface verifies signatures when a key is configured', () => {
  const wrong = { accessKeyId: ADMIN.accessKeyId, secretAccessKey: 'not-the-secret-at-all' };

  it('S3: the right key works; a wrong secret, an unknown key and no signature are refused', async () => {
    const { S3Client, ListBucketsCommand, CreateBucketCommand } = await import('@aws-sdk/client-s3');
    const s3 = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
      new S3Client({
        endpoint: s.url,
        region: 'us-east-1',
        credentials: { ...credentials },
        forcePathStyle: true,
        maxAttempts: 1,
      });
    const good = s3(ADMIN);
    await good.send(new CreateBucketCommand({ Bucket: 'secured-bucket' }));
    expect((await good.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toContain(
      'secured-bucket',
    );
    await expect(s3(wrong).send(new ListBucketsCommand({}))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
    });
    await expect(
      s3({ ...ADMIN, accessKeyId: 'AKIAUNKNOWN0000000' }).send(new ListBucketsCommand({})),
    ).rejects.toMatchObject({
      name: 'InvalidAccessKeyId',
    });
    const unsigned = await fetch(`${s.url}/secured-bucket`);
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain('<Code>AccessDenied</Code>');
  });

  it('S3 presigned URLs: SigV4 (UNSIGNED-PAYLOAD) and legacy SigV2 are checked, expiry included', async () => {
    const { S3Client, GetObjectCommand, PutObjectCommand, CreateBucketCommand } = await import(
      '@aws-sdk/client-s3'
    );
    const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
    const s3 = (secretAccessKey: string) =>
      new S3Client({
        endpoint: s.url,
        region: 'us-east-1',
        credentials: { accessKeyId: ADMIN.accessKeyId, secretAccessKey },
        forcePathStyle: true,
        maxAttempts: 1,
      });
    const good = s3(ADMIN.secretAccessKey);
    await good.send(new CreateBucketCommand({ Bucket: 'presigned' }));
    await good.send(new PutObjectCommand({ Bucket: 'presigned', Key: 'a b+c.txt', Body: 'shared' }));
    const get = new GetObjectCommand({ Bucket: 'presigned', Key: 'a b+c.txt' });
    const url = await getSignedUrl(good, get, { expiresIn: 60 });
    const ok = await fetch(url);
    expect([ok.status, await ok.text()]).toEqual([200, 'shared']);
    const put = await getSignedUrl(good, new PutObjectCommand({ Bucket: 'presigned', Key: 'up' }), {
      expiresIn: 60,
    });
    expect((await fetch(put, { method: 'PUT', body: 'uploaded' })).status).toBe(200);
    // The URL's signature covers only `host`: an x-amz-* header added by whoever holds it (here
    // one that would turn the upload into a copy of another object) is refused, and nothing changes.
    const hijack = await fetch(put, {
      method: 'PUT',
      headers: { 'x-amz-copy-source': '/presigned/a%20b%2Bc.txt' },
    });
    expect(hijack.status).toBe(403);
    expect(await hijack.text()).toContain(
      '<Message>There were headers present in the request which were not signed</Message>',
    );
    const kept = await good.send(new GetObjectCommand({ Bucket: 'presigned', Key: 'up' }));
    expect(await kept.Body?.transformToString()).toBe('uploaded');
    const refused = async (u: string) => {
      const res = await fetch(u);
      return { status: res.status, code: /<Code>([^<]+)<\/Code>/.exec(await res.text())?.[1] };
    };
    expect(await refused(url.replace('a%20b', 'a%20c'))).toEqual({
      status: 403,
      code: 'SignatureDoesNotMatch',
    });
    expect(await refused(await getSignedUrl(s3('not-the-secret-at-all'), get, { expiresIn: 60 }))).toEqual({
      status: 403,
      code: 'SignatureDoesNotMatch',
    });
    // Signed two minutes ago for one minute: expired, however recent the signing is.
    const old = await getSignedUrl(good, get, { expiresIn: 60, signingDate: new Date(Date.now() - 120_000) });
    const expired = await fetch(old);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('<Message>Request has expired</Message>');
    // Signed an hour ago for a day: still good (presigned URLs are not held to the 15-minute skew).
    const long = await getSignedUrl(good, get, {
      expiresIn: 86_400,
      signingDate: new Date(Date.now() - 3_600_000),
    });
    expect((await fetch(long)).status).toBe(200);
    const tooLong = new URL(url);
    tooLong.searchParams.set('X-Amz-Expires', '604801');
    expect(await refused(tooLong.href)).toEqual({ status: 400, code: 'AuthorizationQueryParametersError' });
    tooLong.searchParams.set('X-Amz-Expires', 'soon');
    expect(await refused(tooLong.href)).toEqual({ status: 400, code: 'AuthorizationQueryParametersError' });

    // SigV2 query authentication, as botocore's default S3 presigner in us-east-1 makes it (the
    // boto3 compatibility test drives botocore itself; here the algorithm of the S3 developer guide).
    const { createHmac } = await import('node:crypto');
    const v2 = (secret: string, expires: number, path = '/presigned/a%20b%2Bc.txt') => {
      const signature = createHmac('sha1', secret).update(`GET\n\n\n${expires}\n${path}`).digest('base64');
      const q = new URLSearchParams({
        AWSAccessKeyId: ADMIN.accessKeyId,
        Signature: signature,
        Expires: String(expires),
      });
      return `${s.url}${path}?${q}`;
    };
    const later = Math.floor(Date.now() / 1000) + 60;
    const v2ok = await fetch(v2(ADMIN.secretAccessKey, later));
    expect([v2ok.status, await v2ok.text()]).toEqual([200, 'shared']);
    expect(await refused(v2('not-the-secret-at-all', later))).toEqual({
      status: 403,
      code: 'SignatureDoesNotMatch',
    });
    expect(
      await refused(v2(ADMIN.secretAccessKey, later).replace(`Expires=${later}`, `Expires=${later + 1}`)),
    ).toEqual({
      status: 403,
      code: 'SignatureDoesNotMatch',
    });
    const v2old = await fetch(v2(ADMIN.secretAccessKey, later - 120));
    expect(v2old.status).toBe(403);
    expect(await v2old.text()).toContain('<Message>Request has expired</Message>');
    good.destroy();
  });

  it('SQS (JSON protocol): the right key works, a wrong one is refused', async () => {
    const { SQSClient, ListQueuesCommand } = await import('@aws-sdk/client-sqs');
    const sqs = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
      new SQSClient({
        endpoint: s.url,
        region: 'us-east-1',
        credentials: { ...credentials },
        maxAttempts: 1,
      });
    await sqs(ADMIN).send(new ListQueuesCommand({}));
    await expect(sqs(wrong).send(new ListQueuesCommand({}))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('API Gateway v2 and CloudWatch Logs: a wrong key is refused', async () => {
    const { ApiGatewayV2Client, GetApisCommand } = await import('@aws-sdk/client-apigatewayv2');
    const apigw = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
      new ApiGatewayV2Client({
        endpoint: s.url,
        region: 'us-east-1',
        credentials: { ...credentials },
        maxAttempts: 1,
      });
    await apigw(ADMIN).send(new GetApisCommand({}));
    await expect(apigw(wrong).send(new GetApisCommand({}))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
    const { CloudWatchLogsClient, DescribeLogGroupsCommand } = await import(
      '@aws-sdk/client-cloudwatch-logs'
    );
    const logs = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
      new CloudWatchLogsClient({
        endpoint: s.url,
        region: 'us-east-1',
        credentials: { ...credentials },
        maxAttempts: 1,
      });
    await logs(ADMIN).send(new DescribeLogGroupsCommand({}));
    await expect(logs(wrong).send(new DescribeLogGroupsCommand({}))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('an AWS_IAM function URL needs a valid signature', async () => {
    const { CreateFunctionUrlConfigCommand } = await import('@aws-sdk/client-lambda');
    const { SignatureV4 } = await import('@smithy/signature-v4');
    const { HttpRequest } = await import('@smithy/protocol-http');
    const { Sha256 } = await import('../../src/lib/sha256-checksum.js');
    const url = await admin.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: 'secured', AuthType: 'AWS_IAM' }),
    );
    const id = new URL(url.FunctionUrl!).hostname.split('.')[0]!;
    const target = new URL(`${s.url}/_aws/lambda-url/${id}/`);
    const sign = async (secretAccessKey: string) =>
      (
        await new SignatureV4({
          credentials: { accessKeyId: ADMIN.accessKeyId, secretAccessKey },
          region: 'us-east-1',
          service: 'lambda',
          sha256: Sha256,
        }).sign(
          new HttpRequest({
            method: 'GET',
            protocol: 'http:',
            hostname: target.hostname,
            port: Number(target.port),
            path: target.pathname,
            headers: { host: target.host },
          }),
        )
      ).headers as Record<string, string>;
    expect((await fetch(target, { headers: await sign(ADMIN.secretAccessKey) })).status).toBe(200);
    expect((await fetch(target, { headers: await sign('not-the-secret-at-all') })).status).toBe(403);
    expect((await fetch(target)).status).toBe(403);
  });
});
