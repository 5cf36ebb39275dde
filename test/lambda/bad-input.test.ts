import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { createFunction } from '../support/functions.js';
import { startTestServer, TEST_ROLE, type TestServer } from '../support/server.js';
import { makeZip } from '../support/zip.js';

let s: TestServer;
let goodZip: string;
beforeAll(async () => {
  s = await startTestServer();
  goodZip = (await makeZip({ 'index.js': 'exports.handler = async () => 1;' })).toString('base64');
  await createFunction(s.lambda, 'exists', { 'index.js': 'exports.handler = async (e) => e;' });
});
afterAll(() => s.close());

interface AwsError {
  status: number;
  type: string | null;
  message: string;
  body: Record<string, unknown>;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<AwsError> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers,
    ...(body === undefined
      ? {}
      : { body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  return {
    status: res.status,
    type: res.headers.get('x-amzn-errortype'),
    message: String(parsed.message ?? parsed.Message ?? ''),
    body: parsed,
  };
}

const create = (overrides: Record<string, unknown>) =>
  call('POST', '/2015-03-31/functions', {
    FunctionName: 'bad',
    Runtime: 'nodejs20.x',
    Handler: 'index.handler',
    Role: TEST_ROLE,
    Code: { ZipFile: goodZip },
    ...overrides,
  });

async function zipOf(
  entries: { name: string; content?: Buffer; mode?: number; stream?: Readable }[],
): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const e of entries) {
    if (e.stream) zip.addReadStream(e.stream, e.name, { mode: e.mode ?? 0o100644 });
    else zip.addBuffer(e.content ?? Buffer.alloc(0), e.name, { mode: e.mode ?? 0o100644 });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('base64');
}

describe('CreateFunction validation', () => {
  const validation = (member: string, value: string, constraint: string) =>
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`;

  it.each([
    [{ Timeout: 901 }, validation('timeout', '901', 'Member must have value less than or equal to 900')],
    [{ Timeout: 0 }, validation('timeout', '0', 'Member must have value greater than or equal to 1')],
    [
      { MemorySize: 64 },
      validation('memorySize', '64', 'Member must have value greater than or equal to 128'),
    ],
    [
      { MemorySize: 10241 },
      validation('memorySize', '10241', 'Member must have value less than or equal to 10240'),
    ],
    [
      { Handler: 'index handler' },
      validation('handler', 'index handler', 'Member must satisfy regular expression pattern: [^\\s]+'),
    ],
    [
      { Description: 'x'.repeat(257) },
      validation('description', 'x'.repeat(257), 'Member must have length less than or equal to 256'),
    ],
    [
      { FunctionName: 'bad name!' },
      expect.stringContaining(
        "Value 'bad name!' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern",
      ),
    ],
    [
      { Role: 'not-a-role' },
      expect.stringContaining("Value 'not-a-role' at 'role' failed to satisfy constraint"),
    ],
    [
      { Runtime: 'cobol42' },
      expect.stringContaining(
        "Value 'cobol42' at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [",
      ),
    ],
    [
      { Architectures: ['x86_64', 'arm64'] },
      expect.stringContaining(
        "at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1",
      ),
    ],
    [
      { Environment: { Variables: { '1bad': 'x' } } },
      expect.stringContaining(
        "Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint",
      ),
    ],
  ])('%j → ValidationException', async (overrides, message) => {
    const r = await create(overrides);
    expect(r.status).toBe(400);
    expect(r.type).toBe('ValidationException');
    expect(r.message).toEqual(message);
  });

  it('lists several violations in one message', async () => {
    const r = await create({ Timeout: 0, MemorySize: 1 });
    expect(r.message).toMatch(
      /^2 validation errors detected: Value '0' at 'timeout'.*; Value '1' at 'memorySize'/,
    );
  });

  it('missing required members', async () => {
    const r = await call('POST', '/2015-03-31/functions', {
      FunctionName: 'bad',
      Code: { ZipFile: goodZip },
    });
    expect(r.type).toBe('ValidationException');
    expect(r.message).toBe(
      "1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null",
    );
    const noRuntime = await create({ Runtime: undefined });
    expect(noRuntime.type).toBe('InvalidParameterValueException');
    expect(noRuntime.message).toBe(
      'Runtime and Handler are mandatory parameters for functions created with deployment packages.',
    );
  });

  it.each([
    [
      { Runtime: 'nodejs12.x' },
      'The runtime parameter of nodejs12.x is no longer supported for creating or updating AWS Lambda functions.',
    ],
    [{ Runtime: 'java21' }, 'The runtime parameter of java21 is not supported by this Nimbus server.'],
    [{ Environment: { Variables: { AWS_REGION: 'x' } } }, 'Reserved keys used in this request: AWS_REGION'],
    [
      { Environment: { Variables: { BIG: 'x'.repeat(4100) } } },
      'exceeded the 4KB limit. String measured: {"BIG":"xxx',
    ],
    [{ PackageType: 'Image', Code: { ImageUri: 'repo/image:1' } }, 'PackageType Image is not supported'],
  ])('%j → InvalidParameterValueException', async (overrides, fragment) => {
    const r = await create(overrides);
    expect(r.status).toBe(400);
    expect(r.type).toBe('InvalidParameterValueException');
    expect(r.message).toContain(fragment);
  });

  it('malformed JSON, wrong types and unknown members → InvalidRequestContentException', async () => {
    for (const body of [
      '{"FunctionName":',
      '[]',
      JSON.stringify({ FunctionName: 'x', Role: TEST_ROLE, Code: {}, Timeout: 'ten' }),
    ]) {
      const r = await call('POST', '/2015-03-31/functions', body);
      expect(r.status).toBe(400);
      expect(r.type).toBe('InvalidRequestContentException');
      expect(r.message).toMatch(/^Could not parse request body into json/);
    }
    const unknown = await create({ Timeuot: 5 });
    expect(unknown.type).toBe('InvalidRequestContentException');
    expect(unknown.message).toContain('Unrecognized field "Timeuot"');
  });

  it('a duplicate name → ResourceConflictException 409', async () => {
    const r = await create({ FunctionName: 'exists' });
    expect(r).toMatchObject({
      status: 409,
      type: 'ResourceConflictException',
      message: 'Function already exist: exists',
    });
  });
});

describe('deployment packages', () => {
  const UNZIP = 'Could not unzip uploaded file. Please check your file, then try to upload again.';

  it('refuses a zip that is not a zip', async () => {
    const r = await create({ Code: { ZipFile: Buffer.from('definitely not a zip').toString('base64') } });
    expect(r).toMatchObject({ status: 400, type: 'InvalidParameterValueException', message: UNZIP });
  });

  it('refuses a truncated zip', async () => {
    const whole = Buffer.from(goodZip, 'base64');
    const r = await create({ Code: { ZipFile: whole.subarray(0, whole.length - 30).toString('base64') } });
    expect(r).toMatchObject({ status: 400, type: 'InvalidParameterValueException', message: UNZIP });
  });

  it.each([
    ['a parent-directory entry', [{ name: '../evil.js', content: Buffer.from('x') }]],
    ['a nested parent-directory entry', [{ name: 'a/../../evil.js', content: Buffer.from('x') }]],
    ['an absolute entry', [{ name: '/etc/evil.js', content: Buffer.from('x') }]],
    [
      'a symlink out of the folder',
      [{ name: 'link', content: Buffer.from('../../../../etc/passwd'), mode: 0o120777 }],
    ],
    ['an absolute symlink', [{ name: 'link', content: Buffer.from('/etc/passwd'), mode: 0o120777 }]],
  ])('refuses %s', async (_label, entries) => {
    const zip = await zipOfRaw(entries);
    const r = await create({ Code: { ZipFile: zip } });
    expect(r.status).toBe(400);
    expect(r.type).toBe('InvalidParameterValueException');
  });

  it('accepts a symlink that stays inside the folder', async () => {
    const zip = await zipOf([
      { name: 'lib/real.js', content: Buffer.from('exports.handler = async () => "via link";') },
      { name: 'index.js', content: Buffer.from('lib/real.js'), mode: 0o120777 },
    ]);
    const r = await create({ FunctionName: 'linked', Code: { ZipFile: zip } });
    expect(r.status).toBe(201);
  });

  it('refuses a zip bomb (251 MB of zeros in a small zip)', async () => {
    const zeros = Readable.from(
      (function* () {
        const chunk = Buffer.alloc(1 << 20);
        for (let i = 0; i < 251; i++) yield chunk;
      })(),
    );
    const bomb = await zipOf([{ name: 'zeros.bin', stream: zeros }]);
    expect(Buffer.from(bomb, 'base64').length).toBeLessThan(2_000_000);
    const r = await create({ FunctionName: 'bomb', Code: { ZipFile: bomb } });
    expect(r).toMatchObject({
      status: 400,
      type: 'InvalidParameterValueException',
      message: 'Unzipped size must be smaller than 262144000 bytes',
    });
  });

  it('refuses a request over the CreateFunction size limit with 413', async () => {
    const r = await call('POST', '/2015-03-31/functions', Buffer.alloc(69_905_068, 0x20));
    expect(r).toMatchObject({
      status: 413,
      type: 'RequestEntityTooLargeException',
      message: 'Request must be smaller than 69905067 bytes for the CreateFunction operation',
    });
  });

  it('leaves nothing behind after refused requests', async () => {
    const list = await s.lambda.send(new ListFunctionsCommand({}));
    expect(list.Functions?.map((f) => f.FunctionName).sort()).toEqual(['exists', 'linked']);
    const leftovers = readdirSync(join(s.dataDir, 'images')).filter((n) => n.endsWith('.tmp'));
    expect(leftovers).toEqual([]);
  });
});

describe('Invoke validation', () => {
  const invokePath = '/2015-03-31/functions/exists/invocations';

  it('payload over 6 MB → 413', async () => {
    const r = await call('POST', invokePath, Buffer.alloc(6_291_457, 0x20));
    expect(r).toMatchObject({
      status: 413,
      type: 'RequestEntityTooLargeException',
      message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
    });
  });

  it('payload that is not JSON → 400 InvalidRequestContentException', async () => {
    const r = await call('POST', invokePath, '{not json');
    expect(r.status).toBe(400);
    expect(r.type).toBe('InvalidRequestContentException');
    expect(r.message).toMatch(/^Could not parse request body into json: Could not parse payload into json: /);
  });

  it('unknown function, percent-encoded ARN → 404 with the ARN', async () => {
    const arn = encodeURIComponent('arn:aws:lambda:us-east-1:000000000000:function:nope');
    const r = await call('POST', `/2015-03-31/functions/${arn}/invocations`, '{}');
    expect(r).toMatchObject({
      status: 404,
      type: 'ResourceNotFoundException',
      message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope',
    });
    expect(r.body.Type).toBe('User');
  });

  it('a qualifier that contradicts the name → 400', async () => {
    const r = await call('POST', `/2015-03-31/functions/exists:$LATEST/invocations?Qualifier=prod`, '{}');
    expect(r.type).toBe('InvalidParameterValueException');
    expect(r.message).toBe(
      'The derived qualifier from the function name does not match the specified qualifier.',
    );
  });

  it('bad headers', async () => {
    const t = await call('POST', invokePath, '{}', { 'x-amz-invocation-type': 'Sometimes' });
    expect(t.type).toBe('ValidationException');
    const c = await call('POST', invokePath, '{}', {
      'x-amz-client-context': Buffer.from('nope').toString('base64'),
    });
    expect(c.type).toBe('InvalidRequestContentException');
    expect(c.message).toBe('Client context must be a valid Base64-encoded JSON object.');
  });

  it('DryRun checks without running', async () => {
    const res = await fetch(`${s.url}${invokePath}`, {
      method: 'POST',
      headers: { 'x-amz-invocation-type': 'DryRun' },
      body: '{}',
    });
    expect(res.status).toBe(204);
  });
});

describe('routing', () => {
  it('unknown routes get an AWS-shaped 404', async () => {
    // Unsigned requests outside the Lambda and Nimbus paths are path-style S3 requests (an S3
    // error document); a request signed for Lambda that no route knows is Lambda's 404.
    const lambdaSigned = {
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=00',
    };
    for (const [path, headers] of [
      ['/2015-03-31/nothing-here', {}],
      ['/whatever', lambdaSigned],
    ] as const) {
      const r = await call('GET', path, undefined, headers);
      expect(r.status).toBe(404);
      expect(r.type).toBe('UnknownOperationException');
    }
  });

  it('health answers 200', async () => {
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(200);
  });
});

/** Zips entries with names exactly as given (yazl refuses unsafe names, so write the archive by hand). */
async function zipOfRaw(entries: { name: string; content?: Buffer; mode?: number }[]): Promise<string> {
  const { crc32 } = await import('node:zlib');
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const data = e.content ?? Buffer.alloc(0);
    const crc = crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x031e, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]).toString('base64');
}
