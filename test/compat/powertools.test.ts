import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateEventSourceMappingCommand,
  type CreateFunctionCommandInput,
  CreateFunctionUrlConfigCommand,
  GetEventSourceMappingCommand,
  InvokeCommand,
  PublishLayerVersionCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sha256 } from '../../src/lib/sha256-checksum.js';
import { eventually } from '../support/eventually.js';
import { createFunction } from '../support/functions.js';
import { httpRequest } from '../support/http.js';
import { nodeModulesFiles } from '../support/node-modules.js';
import { s3Client } from '../support/s3.js';
import { ScaledClock } from '../support/scaled-clock.js';
import { fnArn, scheduleRequest, schedulerClient } from '../support/scheduler.js';
import { startTestServer, TEST_CREDENTIALS, type TestServer } from '../support/server.js';
import { sqsClient } from '../support/sqs.js';
import { makeZip } from '../support/zip.js';

/**
 * Powertools for AWS Lambda (TypeScript), unchanged, and driven through Nimbus's real triggers:
 * the Parser validates the events Nimbus builds with Powertools' own schemas, Batch reports
 * partial failures to a real event source mapping, Logger and Metrics write what they write on
 * Lambda from the context and the environment Nimbus gives them. A mismatch fails with the zod
 * issues and the event.
 *
 * Deployed as Powertools' docs recommend: the handlers (ES modules) in the function's zip, the
 * libraries in a layer (`nodejs/node_modules`, built from this project's installed packages), so
 * the ES module imports resolve from `/opt` as on Lambda's Node.js 18+ runtimes.
 */

const ACCOUNT = '000000000000';
const FUNCTIONS = join(import.meta.dirname, 'powertools-functions');
const source = (file: string) => readFileSync(join(FUNCTIONS, file), 'utf8');
const CODE = {
  'parser.mjs': source('parser.mjs'),
  'batch.mjs': source('batch.mjs'),
  'observe.mjs': source('observe.mjs'),
};
const LIBRARIES = Object.fromEntries(
  Object.entries(
    nodeModulesFiles([
      '@aws-lambda-powertools/parser',
      '@aws-lambda-powertools/batch',
      '@aws-lambda-powertools/logger',
      '@aws-lambda-powertools/metrics',
      '@aws-lambda-powertools/tracer',
      '@middy/core',
      'zod',
    ]),
  ).map(([path, content]) => [`nodejs/${path}`, content]),
);

/** Schedules: a minute of schedule time passes in a second; everything else keeps real time. */
const clock = new ScaledClock(60);
let s: TestServer;
let apigw: ApiGatewayV2Client;
let s3: S3Client;
let sqs: SQSClient;
let scheduler: SchedulerClient;
let logs: CloudWatchLogsClient;
let layerArn: string;

/** A function of handler files only, with the libraries' layer. */
const deploy = (name: string, extra: Partial<CreateFunctionCommandInput>) =>
  createFunction(s.lambda, name, CODE, { MemorySize: 256, Timeout: 10, Layers: [layerArn], ...extra });

const parserFunction = (name: string, schema: string) =>
  deploy(name, { Handler: 'parser.handler', Environment: { Variables: { SCHEMA: schema } } });

beforeAll(async () => {
  s = await startTestServer(
    {},
    {
      extraFeatures: [
        (app) => {
          app.scheduleClock = clock;
        },
      ],
    },
  );
  const client = { endpoint: s.url, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 };
  apigw = new ApiGatewayV2Client(client);
  logs = new CloudWatchLogsClient(client);
  s3 = s3Client(s.url);
  sqs = sqsClient(s.url);
  scheduler = schedulerClient(s.url);
  const layer = await s.lambda.send(
    new PublishLayerVersionCommand({
      LayerName: 'powertools-deps',
      CompatibleRuntimes: ['nodejs20.x'],
      Content: { ZipFile: await makeZip(LIBRARIES) },
    }),
  );
  layerArn = layer.LayerVersionArn!;
  await Promise.all([
    parserFunction('pt-route', 'APIGatewayProxyEventV2Schema'),
    parserFunction('pt-route-v1', 'APIGatewayProxyEventSchema'),
    parserFunction('pt-url', 'LambdaFunctionUrlSchema'),
    parserFunction('pt-url-iam', 'LambdaFunctionUrlSchema'),
    parserFunction('pt-s3', 'S3Schema'),
    parserFunction('pt-sqs', 'SqsSchema'),
    parserFunction('pt-schedule', 'EventBridgeSchema'),
  ]);
}, 120_000);

afterAll(async () => {
  for (const c of [apigw, logs, s3, sqs, scheduler]) c?.destroy();
  await s?.close();
});

interface Verdict {
  schema: string;
  requestId: string;
  ok: boolean;
  issues?: unknown;
  payload?: unknown;
  payloadIssues?: unknown;
  event?: unknown;
}

/** The function's log lines, in order (Nimbus's log API; `requestId` narrows to one invocation). */
async function logLines(fn: string, filter: { requestId?: string; contains?: string } = {}) {
  const q = new URLSearchParams({ limit: '10000' });
  if (filter.requestId) q.set('requestId', filter.requestId);
  if (filter.contains) q.set('filter', filter.contains);
  const res = await fetch(`${s.url}/nimbus/v1/functions/${fn}/logs?${q}`);
  if (!res.ok) throw new Error(`logs of ${fn}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { events: { message: string }[] }).events.map((e) => e.message);
}

async function verdicts(fn: string): Promise<Verdict[]> {
  return (await logLines(fn, { contains: 'VERDICT ' })).map(
    (m) => JSON.parse(m.slice(m.indexOf('VERDICT ') + 8)) as Verdict,
  );
}

/** Fails with the zod issues (and the event that caused them) when the parser said no. */
function expectValid(v: Verdict): void {
  expect(v.ok, `${v.schema} rejected the event Nimbus built:\n${JSON.stringify(v, null, 2)}`).toBe(true);
}

const TRACE_ROOT = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;

describe('Parser: the events of real triggers pass the built-in schemas', () => {
  const ORDER = { order: 42, item: 'apples' };
  let apiEndpoint: string;

  beforeAll(async () => {
    const api = await apigw.send(new CreateApiCommand({ Name: 'pt-orders', ProtocolType: 'HTTP' }));
    for (const [RouteKey, fn, PayloadFormatVersion] of [
      ['POST /orders/{id}', 'pt-route', '2.0'],
      ['POST /v1/orders/{id}', 'pt-route-v1', '1.0'],
    ] as const) {
      const integration = await apigw.send(
        new CreateIntegrationCommand({
          ApiId: api.ApiId,
          IntegrationType: 'AWS_PROXY',
          IntegrationUri: fnArn(fn),
          PayloadFormatVersion,
        }),
      );
      await apigw.send(
        new CreateRouteCommand({
          ApiId: api.ApiId,
          RouteKey,
          Target: `integrations/${integration.IntegrationId}`,
        }),
      );
    }
    await apigw.send(new CreateStageCommand({ ApiId: api.ApiId, StageName: '$default', AutoDeploy: true }));
    apiEndpoint = api.ApiEndpoint!;
  });

  it('an HTTP API route with payload 2.0: APIGatewayProxyEventV2Schema and ApiGatewayV2Envelope', async () => {
    const r = await httpRequest(`${apiEndpoint}/orders/42?tag=a&tag=b`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'session=abc; theme=dark' },
      body: JSON.stringify(ORDER),
    });
    const v = JSON.parse(r.text) as Verdict;
    expectValid(v);
    expect(r.status).toBe(200);
    expect(v.payload).toEqual(ORDER);
  });

  it('an HTTP API route with payload 1.0: APIGatewayProxyEventSchema and ApiGatewayEnvelope', async () => {
    const r = await httpRequest(`${apiEndpoint}/v1/orders/42?tag=a&tag=b`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-multi': ['m1', 'm2'] },
      body: JSON.stringify(ORDER),
    });
    const v = JSON.parse(r.text) as Verdict;
    expectValid(v);
    expect(r.status).toBe(200);
    expect(v.payload).toEqual(ORDER);
  });

  it('a function URL with AuthType NONE: LambdaFunctionUrlSchema and LambdaFunctionUrlEnvelope', async () => {
    const url = await s.lambda.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: 'pt-url', AuthType: 'NONE' }),
    );
    const r = await httpRequest(`${url.FunctionUrl}checkout?express=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'powertools-compat' },
      body: JSON.stringify(ORDER),
    });
    const v = JSON.parse(r.text) as Verdict;
    expectValid(v);
    expect(r.status).toBe(200);
    expect(v.payload).toEqual(ORDER);
  });

  it('a function URL with AuthType AWS_IAM: the IAM authorizer block passes too', async () => {
    const url = await s.lambda.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: 'pt-url-iam', AuthType: 'AWS_IAM' }),
    );
    const target = new URL(url.FunctionUrl!);
    const body = JSON.stringify(ORDER);
    const signed = await new SignatureV4({
      credentials: TEST_CREDENTIALS,
      region: 'us-east-1',
      service: 'lambda',
      sha256: Sha256,
    }).sign(
      new HttpRequest({
        method: 'POST',
        protocol: 'http:',
        hostname: target.hostname,
        port: Number(target.port),
        path: '/',
        headers: { host: target.host, 'content-type': 'application/json' },
        body,
      }),
    );
    const r = await httpRequest(url.FunctionUrl!, {
      method: 'POST',
      headers: signed.headers as Record<string, string>,
      body,
    });
    const v = JSON.parse(r.text) as Verdict;
    expectValid(v);
    expect(v.payload).toEqual(ORDER);
  });

  it('an S3 bucket notification: S3Schema', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'pt-uploads' }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'pt-uploads',
        NotificationConfiguration: {
          LambdaFunctionConfigurations: [
            { Id: 'parse-uploads', LambdaFunctionArn: fnArn('pt-s3'), Events: ['s3:ObjectCreated:*'] },
          ],
        },
      }),
    );
    await s3.send(
      new PutObjectCommand({ Bucket: 'pt-uploads', Key: 'incoming/red flower (1).json', Body: '{}' }),
    );
    const [v] = await eventually('the S3 verdict', async () => {
      const got = await verdicts('pt-s3');
      return got.length ? got : undefined;
    });
    expectValid(v!);
    expect(v!.payload).toEqual(['incoming/red flower (1).json']);
  });

  it('SQS event source mappings (standard and FIFO queues): SqsSchema and SqsEnvelope', async () => {
    const standard = (await sqs.send(new CreateQueueCommand({ QueueName: 'pt-orders' }))).QueueUrl!;
    const fifo = (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: 'pt-orders.fifo',
          Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' },
        }),
      )
    ).QueueUrl!;
    for (const queue of ['pt-orders', 'pt-orders.fifo']) {
      const m = await s.lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: 'pt-sqs',
          EventSourceArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${queue}`,
          BatchSize: 10,
        }),
      );
      await eventually('the mapping to be enabled', async () => {
        const got = await s.lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }));
        return got.State === 'Enabled' ? true : undefined;
      });
    }
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: standard,
        MessageBody: JSON.stringify({ order: 1, item: 'pears' }),
        MessageAttributes: {
          Channel: { DataType: 'String', StringValue: 'web' },
          Quantity: { DataType: 'Number', StringValue: '3' },
          Signature: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
        },
      }),
    );
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: fifo,
        MessageBody: JSON.stringify({ order: 2, item: 'plums' }),
        MessageGroupId: 'customer-7',
      }),
    );
    const got = await eventually(
      'a verdict per queue',
      async () => {
        const v = await verdicts('pt-sqs');
        return v.length >= 2 ? v : undefined;
      },
      20_000,
    );
    for (const v of got) expectValid(v);
    expect(got.flatMap((v) => v.payload as unknown[])).toEqual(
      expect.arrayContaining([
        { order: 1, item: 'pears' },
        { order: 2, item: 'plums' },
      ]),
    );
  });

  it('an EventBridge Scheduler schedule: EventBridgeSchema, detail read as JSON', async () => {
    const { ScheduleArn } = await scheduler.send(
      new CreateScheduleCommand({ Name: 'pt-tick', ...scheduleRequest('pt-schedule', 'rate(1 minute)') }),
    );
    const [v] = await eventually(
      'the scheduled verdict',
      async () => {
        const got = await verdicts('pt-schedule');
        return got.length ? got : undefined;
      },
      20_000,
    );
    await scheduler.send(new DeleteScheduleCommand({ Name: 'pt-tick' }));
    expectValid(v!);
    expect(ScheduleArn).toBe(`arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule/default/pt-tick`);
  });
});

describe('Batch: partial batch responses through an event source mapping', () => {
  it('returns exactly the failed records to the queue, which dead-letters them after maxReceiveCount', async () => {
    await deploy('pt-batch', { Handler: 'batch.handler', Timeout: 3 });
    const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: 'pt-jobs-dlq' }))).QueueUrl!;
    const queue = (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: 'pt-jobs',
          Attributes: {
            VisibilityTimeout: '3',
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:pt-jobs-dlq`,
              maxReceiveCount: 2,
            }),
          },
        }),
      )
    ).QueueUrl!;
    const bodies = [1, 2, 3, 4, 5, 6].map((n) => JSON.stringify({ n, fail: n === 2 || n === 5 }));
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue,
        Entries: [...bodies, 'not an order'].map((MessageBody, i) => ({ Id: `m${i}`, MessageBody })),
      }),
    );
    expect(sent.Failed ?? []).toEqual([]);
    await s.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'pt-batch',
        EventSourceArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:pt-jobs`,
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      }),
    );

    // The three failures (two thrown, one that is not an order) end up in the dead-letter queue.
    const dead: string[] = [];
    await eventually(
      'three dead letters',
      async () => {
        const r = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        for (const m of r.Messages ?? []) dead.push(m.Body!);
        return dead.length >= 3 ? true : undefined;
      },
      30_000,
    );
    expect(dead.sort()).toEqual([bodies[1]!, bodies[4]!, 'not an order'].sort());
    const counts = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queue,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(counts.Attributes).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });

    // Successes were handled once and deleted; failures came back until maxReceiveCount (2).
    const records = (await logLines('pt-batch', { contains: 'RECORD ' })).map(
      (m) => JSON.parse(m.slice(m.indexOf('RECORD ') + 7)) as { n: number; receiveCount: string },
    );
    const seen = (n: number) => records.filter((r) => r.n === n).map((r) => r.receiveCount);
    for (const n of [1, 3, 4, 6]) expect(seen(n), `order ${n}`).toEqual(['1']);
    for (const n of [2, 5]) expect(seen(n), `order ${n}`).toEqual(['1', '2']);
  });

  it('on a FIFO queue, a failure holds back the rest of its message group, which comes back in order', async () => {
    await deploy('pt-batch-fifo', { Handler: 'batch.fifo', Timeout: 3 });
    const queue = (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: 'pt-steps.fifo',
          Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true', VisibilityTimeout: '2' },
        }),
      )
    ).QueueUrl!;
    const steps = [
      { id: 'a1', group: 'a' },
      { id: 'b1', group: 'b' },
      { id: 'a2', group: 'a', failUntil: 1 },
      { id: 'b2', group: 'b' },
      { id: 'a3', group: 'a' },
    ];
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue,
        Entries: steps.map(({ group, ...body }) => ({
          Id: body.id,
          MessageBody: JSON.stringify(body),
          MessageGroupId: group,
        })),
      }),
    );
    await s.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'pt-batch-fifo',
        EventSourceArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:pt-steps.fifo`,
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      }),
    );
    type Seen = { id: string; group: string; receiveCount: number };
    const seen = await eventually(
      'a3 to be processed',
      async () => {
        const got = (await logLines('pt-batch-fifo', { contains: 'FIFO ' })).map(
          (m) => JSON.parse(m.slice(m.indexOf('FIFO ') + 5)) as Seen,
        );
        return got.some((r) => r.id === 'a3') ? got : undefined;
      },
      30_000,
    );
    const ofGroup = (g: string) => seen.filter((r) => r.group === g).map((r) => `${r.id}#${r.receiveCount}`);
    // a2 failed on its first receive: a3 was not handled behind it, and both came back in order.
    expect(ofGroup('a')).toEqual(['a1#1', 'a2#1', 'a2#2', 'a3#2']);
    expect(ofGroup('b')).toEqual(['b1#1', 'b2#1']);
    await eventually('the queue to be empty', async () => {
      const counts = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queue,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return counts.Attributes?.ApproximateNumberOfMessages === '0' &&
        counts.Attributes?.ApproximateNumberOfMessagesNotVisible === '0'
        ? true
        : undefined;
    });
  });
});

type Json = Record<string, unknown>;
const jsonLines = (lines: string[]): Json[] =>
  lines.flatMap((l) => {
    try {
      const v: unknown = JSON.parse(l);
      return v !== null && typeof v === 'object' ? [v as Json] : [];
    } catch {
      return [];
    }
  });

describe('Logger, Metrics and Tracer', () => {
  const POWERTOOLS_ENV = {
    POWERTOOLS_SERVICE_NAME: 'orders',
    POWERTOOLS_METRICS_NAMESPACE: 'NimbusCompat',
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
  };

  async function invoke(fn: string, payload: Json) {
    const out = await s.lambda.send(
      new InvokeCommand({ FunctionName: fn, Payload: Buffer.from(JSON.stringify(payload)) }),
    );
    const text = Buffer.from(out.Payload ?? []).toString();
    expect(out.FunctionError, text).toBeUndefined();
    const requestId = out.$metadata.requestId!;
    return { requestId, result: JSON.parse(text) as Json, lines: await logLines(fn, { requestId }) };
  }

  describe.each([
    ['with Middy middlewares', 'observe.handler'],
    ['with the plain API', 'observe.plain'],
  ])('%s', (_style, handler) => {
    const fn = handler === 'observe.handler' ? 'pt-observe' : 'pt-observe-plain';
    const calls: Awaited<ReturnType<typeof invoke>>[] = [];
    beforeAll(async () => {
      await deploy(fn, {
        Handler: handler,
        Environment: { Variables: POWERTOOLS_ENV },
      });
      calls.push(await invoke(fn, { who: 'ann' }));
      calls.push(await invoke(fn, { who: 'bob' }));
    });

    it('writes structured JSON lines with the Lambda context: cold start first, then warm', () => {
      for (const [i, call] of calls.entries()) {
        const records = jsonLines(call.lines).filter((l) => l.service === 'orders' && !('_aws' in l));
        expect(records.map((r) => r.level)).toEqual(['DEBUG', 'INFO', 'WARN']);
        for (const r of records) {
          expect(r).toMatchObject({
            cold_start: i === 0,
            function_name: fn,
            function_arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${fn}`,
            // context.memoryLimitInMB is a string on Lambda (RIC reads it from the environment).
            function_memory_size: '256',
            function_request_id: call.requestId,
          });
          expect(new Date(r.timestamp as string).toISOString()).toBe(r.timestamp);
          expect(r.xray_trace_id, JSON.stringify(r)).toMatch(TRACE_ROOT);
        }
        expect(records[1]).toMatchObject({ message: 'handling an order', who: i === 0 ? 'ann' : 'bob' });
      }
    });

    it('prints EMF metrics with namespace and service from the environment, ColdStart only once', () => {
      const emf = calls.map((c) => jsonLines(c.lines).filter((l) => '_aws' in l));
      const names = (docs: Json[]) =>
        docs.flatMap((d) =>
          (d._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics.flatMap(
            (m) => m.Metrics.map((x) => x.Name),
          ),
        );
      expect(names(emf[0]!).sort()).toEqual(['ColdStart', 'OrdersPlaced']);
      expect(names(emf[1]!)).toEqual(['OrdersPlaced']);
      for (const doc of emf.flat()) {
        const aws = doc._aws as { Timestamp: number; CloudWatchMetrics: { Namespace: string }[] };
        expect(aws.CloudWatchMetrics[0]!.Namespace).toBe('NimbusCompat');
        expect(typeof aws.Timestamp).toBe('number');
        expect(doc.service).toBe('orders');
      }
      const cold = emf[0]!.find((d) => 'ColdStart' in d)!;
      expect(cold).toMatchObject({ ColdStart: 1, function_name: fn, service: 'orders' });
      expect(emf[1]!.find((d) => 'OrdersPlaced' in d)).toMatchObject({ OrdersPlaced: 1 });
    });

    it("gives Tracer the invocation's trace id, the one Logger reports", () => {
      for (const call of calls) {
        expect(call.result).toMatchObject({ tracingEnabled: true, sampled: false });
        expect(call.result.traceRoot).toMatch(TRACE_ROOT);
        const logged = jsonLines(call.lines).find((l) => l.service === 'orders' && l.level === 'INFO');
        expect(logged?.xray_trace_id).toBe(call.result.traceRoot);
        expect(call.lines.join('\n')).not.toMatch(/Missing AWS Lambda trace data/);
        // Not sampled: no X-Ray part on the REPORT line.
        expect(call.lines.find((l) => l.startsWith('REPORT '))).not.toContain('XRAY');
      }
      expect(calls[0]!.result.traceRoot).not.toBe(calls[1]!.result.traceRoot);
    });
  });

  it('the Logger lines are found through the CloudWatch Logs API with a JSON filter pattern', async () => {
    const got = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: '/aws/lambda/pt-observe',
        filterPattern: '{ $.service = "orders" && $.level = "WARN" }',
      }),
    );
    const records = (got.events ?? []).map((e) => JSON.parse(e.message!) as Json);
    expect(records.map((r) => r.message)).toEqual(['stock is low', 'stock is low']);
    expect(records.map((r) => r.cold_start)).toEqual([true, false]);
  });

  it('the EMF metric lines are found through the CloudWatch Logs API by namespace and value', async () => {
    const find = async (filterPattern: string) =>
      (
        await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/pt-observe', filterPattern }))
      ).events?.map((e) => JSON.parse(e.message!) as Json) ?? [];
    const placed = await find(
      '{ $._aws.CloudWatchMetrics[0].Namespace = "NimbusCompat" && $.OrdersPlaced >= 1 }',
    );
    expect(placed.map((d) => d.OrdersPlaced)).toEqual([1, 1]);
    expect(await find('{ $.ColdStart = 1 }')).toHaveLength(1);
    expect(await find('{ $._aws.CloudWatchMetrics[0].Namespace = "SomebodyElse" }')).toEqual([]);
  });

  it('with TracingConfig Active, Tracer sees a sampled trace and the function still succeeds', async () => {
    await deploy('pt-observe-active', {
      Handler: 'observe.handler',
      Environment: { Variables: POWERTOOLS_ENV },
      TracingConfig: { Mode: 'Active' },
    });
    const call = await invoke('pt-observe-active', { who: 'eve' });
    expect(call.result).toMatchObject({ tracingEnabled: true, sampled: true });
    // Lambda's REPORT line of a traced invocation names its trace and segment.
    expect(call.lines.find((l) => l.startsWith('REPORT '))).toMatch(
      new RegExp(`\\tXRAY TraceId: ${call.result.traceRoot}\\tSegmentId: [0-9a-f]{16}\\tSampled: true$`),
    );
    const logged = jsonLines(call.lines).find((l) => l.service === 'orders' && l.level === 'INFO');
    expect(logged?.xray_trace_id).toBe(call.result.traceRoot);
  });

  it('honours LoggingConfig JSON with ApplicationLogLevel (AWS_LAMBDA_LOG_LEVEL) over POWERTOOLS_LOG_LEVEL', async () => {
    await deploy('pt-observe-alc', {
      Handler: 'observe.plain',
      Environment: { Variables: POWERTOOLS_ENV },
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'WARN' },
    });
    const call = await invoke('pt-observe-alc', { who: 'cy' });
    const app = jsonLines(call.lines).filter((l) => !('_aws' in l) && !('type' in l));
    // Powertools takes the stricter Advanced Logging Controls level; the runtime drops the
    // INFO-level console.log; what is left is the warning, still with its context.
    expect(app.map((l) => l.level)).toEqual(['WARN']);
    expect(app[0]).toMatchObject({
      message: 'stock is low',
      service: 'orders',
      cold_start: true,
      function_request_id: call.requestId,
    });
    expect(app[0]!.xray_trace_id).toMatch(TRACE_ROOT);
    // Platform lines are JSON records in this format too.
    expect(jsonLines(call.lines).map((l) => l.type)).toEqual(
      expect.arrayContaining(['platform.start', 'platform.report']),
    );
  });
});

describe('trace ids through the front doors', () => {
  it('a function URL passes its X-Amzn-Trace-Id root on as the invocation trace id', async () => {
    const url = await s.lambda.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: 'pt-observe', AuthType: 'NONE' }),
    );
    const r = await httpRequest(url.FunctionUrl!, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-amzn-trace-id': 'Root=1-67891233-abcdef012345678912345678',
      },
      body: '{"who":"dee"}',
    });
    expect(r.status, r.text).toBe(200);
    expect(JSON.parse(r.text).traceRoot).toBe('1-67891233-abcdef012345678912345678');
  });
});
