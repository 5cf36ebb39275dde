import {
  CreateAliasCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeAsyncCommand,
  InvokeCommand,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { CreateQueueCommand, DeleteQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction } from '../support/functions.js';
import { PROBE_CLIENT, type Probe, type ProbeHit, startProbe } from '../support/probe-server.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { sqsClient } from '../support/sqs.js';

/** 0.001: Lambda's 1 and 2 minutes between attempts become 60 and 120 ms. */
const SCALE = 0.001;
const arn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

let s: TestServer;
let probe: Probe;

/** Reports each attempt to the probe; fails when the probe says so (or always with `fail`). */
const REPORTER = `${PROBE_CLIENT}
exports.handler = async (event, context) => {
  const answer = await probe({ fn: context.functionName, requestId: context.awsRequestId, event });
  if (event.fail || (answer && answer.fail)) {
    const e = new Error('failed on purpose: ' + JSON.stringify(event)); e.name = 'PurposeError'; throw e;
  }
  return { handled: event, by: context.functionName };
};`;

/** Reports the trace header each attempt sees, then fails (so the event is retried). */
const TRACED = `${PROBE_CLIENT}
exports.handler = async (event, context) => {
  await probe({ fn: context.functionName, requestId: context.awsRequestId, trace: process.env._X_AMZN_TRACE_ID ?? null });
  throw new Error('fails on purpose');
};`;

const SINK = `${PROBE_CLIENT}
exports.handler = async (event, context) => { await probe({ fn: context.functionName, record: event }); return 'ok'; };`;

beforeAll(async () => {
  probe = await startProbe();
  s = await startTestServer({ asyncDelayScale: SCALE });
  const env = { Environment: { Variables: { PROBE_URL: probe.url } } };
  await Promise.all([
    createFunction(s.lambda, 'worker', { 'index.js': REPORTER }, env),
    createFunction(s.lambda, 'flaky', { 'index.js': REPORTER }, env),
    createFunction(s.lambda, 'sink', { 'index.js': SINK }, env),
    createFunction(s.lambda, 'doomed-sink', { 'index.js': SINK }, env),
    createFunction(s.lambda, 'traced', { 'index.js': TRACED }, env),
  ]);
});
afterAll(async () => {
  await s?.close();
  await probe?.close();
});

const hitsOf = (fn: string, requestId?: string) =>
  probe.hits.filter((h) => h.body.fn === fn && (requestId === undefined || h.body.requestId === requestId));
const recordsFor = (requestId: string): ProbeHit[] =>
  probe.hits.filter(
    (h) =>
      h.body.record &&
      (h.body.record as { requestContext?: { requestId?: string } }).requestContext?.requestId === requestId,
  );

async function events(fn: string, query = '') {
  const res = await fetch(`${s.url}/nimbus/v1/functions/${fn}/events${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { events: Record<string, unknown>[]; counts: Record<string, number> };
}

async function sendEvent(fn: string, payload: unknown) {
  const out = await s.lambda.send(
    new InvokeCommand({
      FunctionName: fn,
      InvocationType: 'Event',
      Payload: Buffer.from(JSON.stringify(payload)),
    }),
  );
  expect(out.StatusCode).toBe(202);
  return out.$metadata.requestId!;
}

describe('Invoke with InvocationType Event', () => {
  it('answers 202 with the request id, then runs the event with that id as awsRequestId', async () => {
    const out = await s.lambda.send(
      new InvokeCommand({
        FunctionName: 'worker',
        InvocationType: 'Event',
        Payload: Buffer.from('{"job":1}'),
      }),
    );
    expect(out.StatusCode).toBe(202);
    expect(Buffer.from(out.Payload ?? []).length).toBe(0);
    expect(out.FunctionError).toBeUndefined();
    const id = out.$metadata.requestId!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await probe.waitFor(() => hitsOf('worker', id).length === 1, 'the event to run');
    expect(hitsOf('worker', id)[0]?.body.event).toEqual({ job: 1 });
    await expect
      .poll(async () => (await events('worker')).events.find((e) => e.requestId === id)?.state)
      .toBe('succeeded');
  });

  it('accepts the deprecated InvokeAsync and answers {"Status":202}', async () => {
    const out = await s.lambda.send(
      new InvokeAsyncCommand({ FunctionName: 'worker', InvokeArgs: '{"legacy":true}' }),
    );
    expect(out.Status).toBe(202);
    await probe.waitFor(
      () => hitsOf('worker').some((h) => (h.body.event as { legacy?: boolean }).legacy),
      'InvokeAsync to run',
    );
  });

  it('retries an always-failing function exactly 1 + 2 times, spaced by the scaled delays, then sends the exact record to OnFailure', async () => {
    await s.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'worker',
        DestinationConfig: {
          OnFailure: { Destination: arn('sink') },
          OnSuccess: { Destination: arn('sink') },
        },
      }),
    );
    const id = await sendEvent('worker', { fail: true, n: 3 });
    await probe.waitFor(() => recordsFor(id).length === 1, 'the OnFailure record');
    const attempts = hitsOf('worker', id);
    expect(attempts).toHaveLength(3);
    const gaps = attempts.slice(1).map((h, i) => h.at - attempts[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(60 * 1000 * SCALE);
    expect(gaps[1]).toBeGreaterThanOrEqual(120 * 1000 * SCALE);
    const record = recordsFor(id)[0]!.body.record as Record<string, unknown>;
    expect(Object.keys(record)).toEqual([
      'version',
      'timestamp',
      'requestContext',
      'requestPayload',
      'responseContext',
      'responsePayload',
    ]);
    expect(record).toEqual({
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      requestContext: {
        requestId: id,
        functionArn: `${arn('worker')}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: { fail: true, n: 3 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: {
        errorType: 'PurposeError',
        errorMessage: 'failed on purpose: {"fail":true,"n":3}',
        trace: expect.arrayContaining([expect.stringContaining('PurposeError: failed on purpose')]),
      },
    });
    const listed = (await events('worker', '?state=failed')).events.find((e) => e.requestId === id);
    expect(listed).toMatchObject({
      state: 'failed',
      attempts: 3,
      condition: 'RetriesExhausted',
      lastError: 'Unhandled: PurposeError: failed on purpose: {"fail":true,"n":3}',
    });
    expect(hitsOf('worker', id)).toHaveLength(3);
  });

  it('runs every attempt of an event in one X-Ray trace (one Root, a new Parent each time)', async () => {
    const ids = [await sendEvent('traced', { n: 1 }), await sendEvent('traced', { n: 2 })];
    await probe.waitFor(() => ids.every((id) => hitsOf('traced', id).length === 3), 'three attempts of each');
    const roots = ids.map((id) => {
      const traces = hitsOf('traced', id).map((h) => String(h.body.trace));
      const fields = traces.map((t) => Object.fromEntries(t.split(';').map((f) => f.split('='))));
      for (const f of fields) expect(f.Root).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
      expect(new Set(fields.map((f) => f.Root)).size).toBe(1);
      expect(new Set(fields.map((f) => f.Parent)).size).toBe(3);
      return fields[0]!.Root;
    });
    // Another event, another trace.
    expect(roots[0]).not.toBe(roots[1]);
  });

  it('sends a function that fails once then succeeds to OnSuccess', async () => {
    await s.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'flaky',
        DestinationConfig: {
          OnSuccess: { Destination: arn('sink') },
          OnFailure: { Destination: arn('sink') },
        },
      }),
    );
    probe.respond = (hit, hits) =>
      hit.body.fn === 'flaky'
        ? { fail: hits.filter((h) => h.body.requestId === hit.body.requestId).length === 1 }
        : null;
    const id = await sendEvent('flaky', { once: true });
    await probe.waitFor(() => recordsFor(id).length === 1, 'the OnSuccess record');
    probe.respond = () => null;
    expect(hitsOf('flaky', id)).toHaveLength(2);
    expect(recordsFor(id)[0]!.body.record).toEqual({
      version: '1.0',
      timestamp: expect.any(String),
      requestContext: {
        requestId: id,
        functionArn: `${arn('flaky')}:$LATEST`,
        condition: 'Success',
        approximateInvokeCount: 2,
      },
      requestPayload: { once: true },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      responsePayload: { handled: { once: true }, by: 'flaky' },
    });
  });

  it('keeps the event as failed when its OnFailure destination was deleted after configuring it', async () => {
    await createFunction(
      s.lambda,
      'doomed-fails',
      { 'index.js': REPORTER },
      {
        Environment: { Variables: { PROBE_URL: probe.url } },
      },
    );
    await s.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'doomed-fails',
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnFailure: { Destination: arn('doomed-sink') } },
      }),
    );
    await s.lambda.send(new DeleteFunctionCommand({ FunctionName: 'doomed-sink' }));
    const id = await sendEvent('doomed-fails', { fail: true });
    await expect
      .poll(async () => (await events('doomed-fails')).events.find((e) => e.requestId === id)?.state, {
        timeout: 10_000,
      })
      .toBe('failed');
    const event = (await events('doomed-fails')).events.find((e) => e.requestId === id)!;
    expect(event.lastError).toContain(`OnFailure destination ${arn('doomed-sink')}`);
    const detail = await (await fetch(`${s.url}/nimbus/v1/functions/doomed-fails/events/${id}`)).json();
    expect(detail).toMatchObject({
      requestId: id,
      payload: '{"fail":true}',
      lastResponse: { statusCode: 200, functionError: 'Unhandled' },
    });
  });
});

describe('the EventInvokeConfig of the qualifier an event was invoked with', () => {
  it('applies the alias configuration to fn:alias, the version one to fn:1 and the $LATEST one to fn', async () => {
    const env = { Environment: { Variables: { PROBE_URL: probe.url } } };
    await createFunction(s.lambda, 'staged', { 'index.js': REPORTER }, env);
    await createFunction(s.lambda, 'alias-sink', { 'index.js': SINK }, env);
    await createFunction(s.lambda, 'version-sink', { 'index.js': SINK }, env);
    await s.lambda.send(new PublishVersionCommand({ FunctionName: 'staged' }));
    await s.lambda.send(
      new CreateAliasCommand({ FunctionName: 'staged', Name: 'live', FunctionVersion: '1' }),
    );
    // Three configurations: the number of attempts and the destination tell which one applied.
    await s.lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: 'staged', MaximumRetryAttempts: 1 }),
    );
    await s.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'staged',
        Qualifier: '1',
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: arn('version-sink') } },
      }),
    );
    await s.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: `${arn('staged')}:live`,
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnFailure: { Destination: arn('alias-sink') } },
      }),
    );

    // The alias points at version 1, yet the alias's own configuration applies, not version 1's.
    const viaAlias = await sendEvent('staged:live', { fail: true, via: 'alias' });
    await probe.waitFor(() => recordsFor(viaAlias).length === 1, 'the alias OnFailure record');
    const aliasRecord = recordsFor(viaAlias)[0]!;
    expect(aliasRecord.body.fn).toBe('alias-sink');
    expect(aliasRecord.body.record).toMatchObject({
      requestContext: {
        requestId: viaAlias,
        functionArn: `${arn('staged')}:live`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 1,
      },
      requestPayload: { fail: true, via: 'alias' },
      responseContext: { statusCode: 200, executedVersion: '1', functionError: 'Unhandled' },
    });
    expect(hitsOf('staged', viaAlias)).toHaveLength(1);

    const viaVersion = await sendEvent('staged:1', { fail: true, via: 'version' });
    await probe.waitFor(() => recordsFor(viaVersion).length === 1, 'the version OnFailure record');
    expect(recordsFor(viaVersion)[0]!.body.fn).toBe('version-sink');
    expect(recordsFor(viaVersion)[0]!.body.record).toMatchObject({
      requestContext: { functionArn: `${arn('staged')}:1`, approximateInvokeCount: 3 },
    });
    expect(hitsOf('staged', viaVersion)).toHaveLength(3);

    // $LATEST: one retry and no destination; the event ends failed after exactly two attempts.
    const unqualified = await sendEvent('staged', { fail: true, via: 'latest' });
    await expect
      .poll(async () => (await events('staged')).events.find((e) => e.requestId === unqualified)?.state, {
        timeout: 10_000,
      })
      .toBe('failed');
    expect(hitsOf('staged', unqualified)).toHaveLength(2);
    expect(recordsFor(unqualified)).toHaveLength(0);
  });
});

describe('dead-letter queue', () => {
  const queueArn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

  it('keeps the event as failed, with the reason, when the DeadLetterConfig target cannot take it', async () => {
    const sqs = sqsClient(s.url);
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'dlq-deleted-later' }));
      const dlq = queueArn('dlq-deleted-later');
      await createFunction(
        s.lambda,
        'with-dlq',
        { 'index.js': REPORTER },
        {
          Environment: { Variables: { PROBE_URL: probe.url } },
          DeadLetterConfig: { TargetArn: dlq },
        },
      );
      await s.lambda.send(
        new PutFunctionEventInvokeConfigCommand({ FunctionName: 'with-dlq', MaximumRetryAttempts: 0 }),
      );
      // Checked when configured only: the queue may go away later, and the event is then kept.
      await sqs.send(new DeleteQueueCommand({ QueueUrl }));
      const id = await sendEvent('with-dlq', { fail: true });
      await expect
        .poll(async () => (await events('with-dlq')).events.find((e) => e.requestId === id)?.state, {
          timeout: 10_000,
        })
        .toBe('failed');
      const event = (await events('with-dlq')).events.find((e) => e.requestId === id)!;
      expect(event.condition).toBe('RetriesExhausted');
      expect(event.lastError).toContain(`DeadLetterConfig ${dlq}`);
    } finally {
      sqs.destroy();
    }
  });

  it('sends a dead letter to the DeadLetterConfig of the version that ran (it is version configuration)', async () => {
    const sqs = sqsClient(s.url);
    try {
      const urls: Record<string, string> = {};
      for (const name of ['dlq-of-v1', 'dlq-of-latest'])
        urls[name] = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
      await createFunction(
        s.lambda,
        'dlq-versions',
        { 'index.js': REPORTER },
        {
          Environment: { Variables: { PROBE_URL: probe.url } },
          DeadLetterConfig: { TargetArn: queueArn('dlq-of-v1') },
        },
      );
      await s.lambda.send(new PublishVersionCommand({ FunctionName: 'dlq-versions' }));
      await s.lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: 'dlq-versions',
          DeadLetterConfig: { TargetArn: queueArn('dlq-of-latest') },
        }),
      );
      for (const Qualifier of ['$LATEST', '1']) {
        await s.lambda.send(
          new PutFunctionEventInvokeConfigCommand({
            FunctionName: 'dlq-versions',
            Qualifier,
            MaximumRetryAttempts: 0,
          }),
        );
      }
      const receiveOne = async (queue: string) => {
        const deadline = Date.now() + 15_000;
        while (Date.now() < deadline) {
          const r = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: urls[queue],
              WaitTimeSeconds: 1,
              MessageAttributeNames: ['All'],
            }),
          );
          if (r.Messages?.length) return r.Messages[0]!;
        }
        throw new Error(`no dead letter on ${queue}`);
      };
      const v1 = await sendEvent('dlq-versions:1', { fail: true, ran: 'v1' });
      const onV1 = await receiveOne('dlq-of-v1');
      expect(JSON.parse(onV1.Body!)).toEqual({ fail: true, ran: 'v1' });
      expect(onV1.MessageAttributes?.RequestID?.StringValue).toBe(v1);
      const latest = await sendEvent('dlq-versions', { fail: true, ran: 'latest' });
      const onLatest = await receiveOne('dlq-of-latest');
      expect(JSON.parse(onLatest.Body!)).toEqual({ fail: true, ran: 'latest' });
      expect(onLatest.MessageAttributes?.RequestID?.StringValue).toBe(latest);
    } finally {
      sqs.destroy();
    }
  });

  it('refuses a DeadLetterConfig target that does not exist or cannot take dead letters, changing nothing', async () => {
    const sqs = sqsClient(s.url);
    try {
      await sqs.send(new CreateQueueCommand({ QueueName: 'real-dlq' }));
      await sqs.send(
        new CreateQueueCommand({ QueueName: 'ordered.fifo', Attributes: { FifoQueue: 'true' } }),
      );
    } finally {
      sqs.destroy();
    }
    const refusal = (message: string) => ({ name: 'InvalidParameterValueException', message });
    const missing = queueArn('no-such-queue');
    const noSendMessage = `The provided execution role does not have permissions to call SendMessage on SQS (no sqs resource ${missing} exists on this Nimbus server).`;
    await expect(
      createFunction(
        s.lambda,
        'dlq-refused',
        { 'index.js': REPORTER },
        { DeadLetterConfig: { TargetArn: missing } },
      ),
    ).rejects.toMatchObject(refusal(noSendMessage));
    await expect(
      s.lambda.send(new GetFunctionCommand({ FunctionName: 'dlq-refused' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });

    await createFunction(
      s.lambda,
      'dlq-kept',
      { 'index.js': REPORTER },
      { DeadLetterConfig: { TargetArn: queueArn('real-dlq') } },
    );
    const update = (TargetArn: string) =>
      s.lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: 'dlq-kept', DeadLetterConfig: { TargetArn } }),
      );
    await expect(update(missing)).rejects.toMatchObject(refusal(noSendMessage));
    await expect(update(queueArn('ordered.fifo'))).rejects.toMatchObject(
      refusal('Invalid dead letter queue ARN: FIFO SQS queue is not supported for dead letter configuration'),
    );
    await expect(update('arn:aws:sns:us-east-1:000000000000:alerts')).rejects.toMatchObject(
      refusal(
        'The provided execution role does not have permissions to call Publish on SNS (this Nimbus server has no sns service).',
      ),
    );
    await expect(update(arn('sink'))).rejects.toMatchObject(
      refusal(
        `Invalid dead letter queue ARN: ${arn('sink')} is neither an Amazon SQS queue nor an Amazon SNS topic.`,
      ),
    );
    const unchanged = await s.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'dlq-kept' }));
    expect(unchanged.DeadLetterConfig).toEqual({ TargetArn: queueArn('real-dlq') });
    // An empty TargetArn removes the dead-letter queue; nothing to check.
    const cleared = await update('');
    expect(cleared.DeadLetterConfig).toBeUndefined();
  });
});

describe('inspecting and replaying events', () => {
  it('lists failed events and replays them by id and all at once', async () => {
    await createFunction(
      s.lambda,
      'replayable',
      { 'index.js': REPORTER },
      {
        Environment: { Variables: { PROBE_URL: probe.url } },
      },
    );
    await s.lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: 'replayable', MaximumRetryAttempts: 0 }),
    );
    probe.respond = (hit) => (hit.body.fn === 'replayable' ? { fail: true } : null);
    const a = await sendEvent('replayable', { n: 'a' });
    const b = await sendEvent('replayable', { n: 'b' });
    await expect
      .poll(async () => (await events('replayable', '?state=failed')).events.length, { timeout: 10_000 })
      .toBe(2);
    const listed = await events('replayable');
    expect(listed.counts).toEqual({ failed: 2 });
    expect(listed.events.map((e) => [e.requestId, e.attempts, e.lastError])).toEqual([
      [a, 1, 'Unhandled: PurposeError: failed on purpose: {"n":"a"}'],
      [b, 1, 'Unhandled: PurposeError: failed on purpose: {"n":"b"}'],
    ]);

    probe.respond = () => null;
    const replay = (body: unknown) =>
      fetch(`${s.url}/nimbus/v1/functions/replayable/events/replay`, {
        method: 'POST',
        body: JSON.stringify(body),
      });
    const one = await replay({ requestIds: [a, 'unknown-id'] });
    expect(await one.json()).toEqual({ replayed: [a], notReplayed: ['unknown-id'] });
    await probe.waitFor(() => hitsOf('replayable', a).length === 2, 'the replayed event');
    const all = await replay({ allFailed: true });
    expect(await all.json()).toEqual({ replayed: [b], notReplayed: [] });
    await expect
      .poll(async () => (await events('replayable')).counts, { timeout: 10_000 })
      .toEqual({ succeeded: 2 });
    expect(hitsOf('replayable', b)).toHaveLength(2);

    const bad = await replay({});
    expect(bad.status).toBe(400);
    expect((await fetch(`${s.url}/nimbus/v1/functions/nope/events`)).status).toBe(404);
    expect((await fetch(`${s.url}/nimbus/v1/functions/replayable/events?state=bogus`)).status).toBe(400);
  });
});

describe('bad input is refused before anything is queued', () => {
  const raw = (fn: string, body: Buffer | string, type = 'Event') =>
    fetch(`${s.url}/2015-03-31/functions/${fn}/invocations`, {
      method: 'POST',
      headers: { 'x-amz-invocation-type': type },
      body,
    });

  it('refuses an event over 1 MB with 413 and accepts one of exactly 1 MB', async () => {
    await createFunction(s.lambda, 'limits', { 'index.js': 'exports.handler = async () => 1;' });
    const exactly = `{"x":"${'a'.repeat(1_048_576 - 8)}"}`;
    expect(Buffer.byteLength(exactly)).toBe(1_048_576);
    const over = await raw('limits', `${exactly} `);
    expect(over.status).toBe(413);
    expect(over.headers.get('x-amzn-errortype')).toBe('RequestEntityTooLargeException');
    expect(await over.json()).toEqual({
      Type: 'User',
      message: 'Request must be smaller than 1048576 bytes for the InvokeFunction operation',
    });
    const ok = await raw('limits', exactly);
    expect(ok.status).toBe(202);
    expect(ok.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const notJson = await raw('limits', '{"broken":');
    expect(notJson.status).toBe(400);
    expect(notJson.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException');
    expect(((await notJson.json()) as { message: string }).message).toMatch(
      /^Could not parse request body into json: Could not parse payload into json: /,
    );
    const listed = await events('limits');
    expect(listed.events).toHaveLength(1);
    expect(listed.events[0]?.requestId).toBe(ok.headers.get('x-amzn-requestid'));
  });

  it('answers 404 for an unknown function or qualifier, and 413 over 256 KB on InvokeAsync', async () => {
    const missing = await raw('no-such-fn', '{}');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      Type: 'User',
      Message: `Function not found: ${arn('no-such-fn')}`,
    });
    const version = await fetch(`${s.url}/2015-03-31/functions/worker/invocations?Qualifier=7`, {
      method: 'POST',
      headers: { 'x-amz-invocation-type': 'Event' },
      body: '{}',
    });
    expect(version.status).toBe(404);
    const big = await fetch(`${s.url}/2014-11-13/functions/worker/invoke-async/`, {
      method: 'POST',
      body: `"${'b'.repeat(262_144)}"`,
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { message: string }).message).toBe(
      'Request must be smaller than 262144 bytes for the InvokeAsync operation',
    );
    const badJson = await fetch(`${s.url}/2014-11-13/functions/worker/invoke-async/`, {
      method: 'POST',
      body: 'nope',
    });
    expect(badJson.status).toBe(400);
  });
});

describe('MaximumEventAgeInSeconds', () => {
  it('ends an event with EventAgeExceeded when its next attempt would come too late', async () => {
    // Its own server: at scale 0.01 the minimum age (60 s) is 600 ms, the first retry 600 ms.
    const aged = await startTestServer({ asyncDelayScale: 0.01 });
    try {
      const env = { Environment: { Variables: { PROBE_URL: probe.url } } };
      await createFunction(aged.lambda, 'ager', { 'index.js': REPORTER }, env);
      await createFunction(aged.lambda, 'age-sink', { 'index.js': SINK }, env);
      await aged.lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: 'ager',
          MaximumEventAgeInSeconds: 60,
          DestinationConfig: { OnFailure: { Destination: arn('age-sink') } },
        }),
      );
      const out = await aged.lambda.send(
        new InvokeCommand({
          FunctionName: 'ager',
          InvocationType: 'Event',
          Payload: Buffer.from('{"fail":true}'),
        }),
      );
      const id = out.$metadata.requestId!;
      await probe.waitFor(() => recordsFor(id).length === 1, 'the EventAgeExceeded record');
      expect(recordsFor(id)[0]!.body.record).toMatchObject({
        requestContext: { requestId: id, condition: 'EventAgeExceeded', approximateInvokeCount: 1 },
        requestPayload: { fail: true },
        responseContext: { statusCode: 200, functionError: 'Unhandled' },
      });
      expect(hitsOf('ager', id)).toHaveLength(1);
    } finally {
      await aged.close();
    }
  });
});
