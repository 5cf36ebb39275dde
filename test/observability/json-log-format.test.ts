import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction } from '../support/functions.js';
import { startTestServer, TEST_CREDENTIALS, type TestServer } from '../support/server.js';

let s: TestServer;
let logs: CloudWatchLogsClient;
beforeAll(async () => {
  s = await startTestServer();
  logs = new CloudWatchLogsClient({
    endpoint: s.url,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  await createFunction(
    s.lambda,
    'structured',
    {
      'index.js': `exports.handler = async (e) => {
        console.log('hello', e.who);
        if (e.fail) throw new TypeError('bad input');
        if (e.sleep) await new Promise((r) => setTimeout(r, e.sleep));
        return 'ok';
      };`,
    },
    { LoggingConfig: { LogFormat: 'JSON' }, Timeout: 1 },
  );
});
afterAll(async () => {
  logs.destroy();
  await s.close();
});

type Line = { time?: string; type?: string; record?: Record<string, unknown>; message?: unknown };

async function invokeTail(payload: object): Promise<{ requestId: string; lines: Line[] }> {
  const out = await s.lambda.send(
    new InvokeCommand({
      FunctionName: 'structured',
      LogType: 'Tail',
      Payload: Buffer.from(JSON.stringify(payload)),
    }),
  );
  const text = Buffer.from(out.LogResult ?? '', 'base64').toString('utf8');
  const lines = text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);
  return { requestId: out.$metadata.requestId!, lines };
}

const byType = (lines: Line[], type: string) => lines.find((l) => l.type === type);

describe('LoggingConfig.LogFormat JSON', () => {
  it('writes the platform lines as JSON records, as Lambda does', async () => {
    const { requestId, lines } = await invokeTail({ who: 'ann' });
    // Every line is JSON: no START/END/REPORT text.
    expect(lines.map((l) => l.type ?? 'app')).toEqual([
      'platform.start',
      'app',
      'platform.runtimeDone',
      'platform.report',
    ]);
    expect(byType(lines, 'platform.start')).toMatchObject({
      record: { requestId, version: '$LATEST' },
    });
    expect(new Date(byType(lines, 'platform.start')!.time!).toISOString()).toBe(
      byType(lines, 'platform.start')!.time,
    );
    expect(byType(lines, 'platform.runtimeDone')?.record).toMatchObject({ requestId, status: 'success' });
    const report = byType(lines, 'platform.report')!.record!;
    expect(report).toMatchObject({ requestId, status: 'success' });
    const m = report.metrics as Record<string, number>;
    expect(Object.keys(m).sort()).toEqual(
      ['billedDurationMs', 'durationMs', 'initDurationMs', 'maxMemoryUsedMB', 'memorySizeMB'].sort(),
    );
    expect(m.memorySizeMB).toBe(128);
    expect(m.billedDurationMs).toBe(Math.ceil(m.durationMs! + m.initDurationMs!));
    expect(m.maxMemoryUsedMB).toBeGreaterThan(0);

    // A warm invocation has no initDurationMs.
    const warm = await invokeTail({ who: 'bob' });
    expect(byType(warm.lines, 'platform.report')?.record?.metrics).not.toHaveProperty('initDurationMs');
  });

  it('reports a function error and a timeout in status and errorType', async () => {
    const failed = await invokeTail({ fail: true });
    expect(byType(failed.lines, 'platform.runtimeDone')?.record).toMatchObject({
      status: 'error',
      errorType: 'TypeError',
    });
    expect(byType(failed.lines, 'platform.report')?.record).toMatchObject({
      status: 'error',
      errorType: 'TypeError',
    });

    const timedOut = await invokeTail({ sleep: 3000 });
    expect(byType(timedOut.lines, 'platform.report')?.record).toMatchObject({
      status: 'timeout',
      metrics: { durationMs: 1000, billedDurationMs: expect.any(Number) },
    });
    expect(timedOut.lines.every((l) => typeof l === 'object')).toBe(true);
  });

  it('can be queried with a JSON filter pattern through the CloudWatch Logs API', async () => {
    const reports = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: '/aws/lambda/structured',
        filterPattern: '{ $.type = "platform.report" && $.record.status = "success" }',
      }),
    );
    expect(reports.events?.length).toBeGreaterThanOrEqual(2);
    for (const e of reports.events ?? []) expect(JSON.parse(e.message!).type).toBe('platform.report');
    const inits = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: '/aws/lambda/structured',
        filterPattern: '{ $.type = "platform.initStart" }',
      }),
    );
    expect(JSON.parse(inits.events?.[0]?.message ?? '{}')).toMatchObject({
      record: {
        initializationType: 'on-demand',
        phase: 'init',
        runtimeVersion: expect.stringMatching(/^nodejs20/),
      },
    });
  });

  it('switches back to text lines when the format changes to Text', async () => {
    await s.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'structured',
        LoggingConfig: { LogFormat: 'Text' },
      }),
    );
    const out = await s.lambda.send(
      new InvokeCommand({ FunctionName: 'structured', LogType: 'Tail', Payload: Buffer.from('{}') }),
    );
    const text = Buffer.from(out.LogResult ?? '', 'base64').toString('utf8');
    expect(text).toMatch(/^START RequestId: \S+ Version: \$LATEST$/m);
    expect(text).toMatch(/^REPORT RequestId: /m);
  });
});
