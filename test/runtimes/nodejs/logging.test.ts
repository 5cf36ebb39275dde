import { beforeAll, describe, expect, it } from 'vitest';
import {
  assertRuntimeBuilt,
  FakeRuntimeApi,
  lambdaEnv,
  makeTaskRoot,
  spawnRuntime,
  startFunction,
} from './harness.js';

beforeAll(assertRuntimeBuilt);

const ISO = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;
const textLine = (requestId: string, level: string, message: string) =>
  new RegExp(`^${ISO}\\t${requestId}\\t${level}\\t${message}$`);

const LOGGING_HANDLER = `
  console.log("cold start");
  exports.handler = async (event) => {
    console.log("hello %s", "world", { a: 1 });
    console.info("info");
    console.warn("warn");
    console.error("two\\nlines");
    console.debug("debug");
    console.trace("trace");
    console.fatal("fatal");
    console.error(new Error("as object"));
    process.stdout.write("raw write\\n");
    if (event.fail) throw new Error("boom");
    return "ok";
  };`;

describe('text log format', () => {
  it('writes one tab-separated line per console call, \\n turned into \\r', async () => {
    const { api, runtime } = await startFunction({ 'index.js': LOGGING_HANDLER });
    await api.invoke({}, { requestId: 'req-text' });
    await runtime.waitForLine((l) => l === 'raw write', 'the raw stdout write');
    const lines = runtime.stdout().split('\n');
    expect(lines).toContainEqual(expect.stringMatching(textLine('undefined', 'INFO', 'cold start')));
    for (const [level, message] of [
      ['INFO', 'hello world \\{ a: 1 \\}'],
      ['INFO', 'info'],
      ['WARN', 'warn'],
      ['ERROR', 'two\\rlines'],
      ['DEBUG', 'debug'],
      ['TRACE', 'trace'],
      ['FATAL', 'fatal'],
      ['ERROR', 'Error: as object\\r {4}at [^\\n]*'],
    ] as const) {
      expect(lines).toContainEqual(expect.stringMatching(textLine('req-text', level, message)));
    }
  });

  it('logs an invoke error as "Invoke Error" followed by the error JSON', async () => {
    const { api, runtime } = await startFunction({ 'index.js': LOGGING_HANDLER });
    await api.invoke({ fail: true }, { requestId: 'req-fail' });
    const line = await runtime.waitForLine((l) => l.includes('Invoke Error'), 'the Invoke Error line');
    const [, details] = line.split('\tERROR\tInvoke Error \t');
    expect(line).toMatch(textLine('req-fail', 'ERROR', 'Invoke Error \\t\\{.*\\}'));
    expect(JSON.parse(details ?? '')).toMatchObject({
      errorType: 'Error',
      errorMessage: 'boom',
      stack: expect.arrayContaining(['Error: boom']),
    });
  });
});

describe('JSON log format', () => {
  it('writes JSON records and honours AWS_LAMBDA_LOG_LEVEL', async () => {
    const { api, runtime } = await startFunction(
      { 'index.js': LOGGING_HANDLER },
      { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'WARN' },
    );
    await api.invoke({}, { requestId: 'req-json', headers: { 'Lambda-Runtime-Aws-Tenant-Id': 'tenant-a' } });
    await runtime.waitForLine((l) => l === 'raw write', 'the raw stdout write');
    const records = runtime
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => r.level)).toEqual(['WARN', 'ERROR', 'FATAL', 'ERROR']);
    expect(records[0]).toEqual({
      timestamp: expect.stringMatching(new RegExp(`^${ISO}$`)),
      level: 'WARN',
      requestId: 'req-json',
      tenantId: 'tenant-a',
      message: 'warn',
    });
    expect(records[1]?.message).toBe('two\nlines');
    expect(records[3]?.message).toMatchObject({ errorType: 'Error', errorMessage: 'as object' });
  });
});

describe('callback handler deprecation warning (nodejs20.x/22.x)', () => {
  it('warns at init about (event, context, callback) handlers unless disabled', async () => {
    const api = await FakeRuntimeApi.start();
    const taskRoot = makeTaskRoot({
      'index.js': 'exports.handler = (event, context, callback) => callback(null, 1);',
    });
    const { AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING: _, ...env } = lambdaEnv(api, taskRoot);
    const runtime = spawnRuntime(env);
    const warning = await runtime.waitForLine((l) => l.includes('callback-based'), 'the deprecation warning');
    expect(warning).toMatch(
      textLine('undefined', 'WARN', 'AWS Lambda plans to remove support for callback-based .*'),
    );
    expect((await api.invoke({})).json()).toBe(1);
  });
});
