import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compileFilterPattern } from '../../src/services/logs/filter-pattern.js';
import { awsCli } from '../support/aws-cli.js';
import { createFunction } from '../support/functions.js';
import { startTestServer, TEST_CREDENTIALS, type TestServer } from '../support/server.js';

let s: TestServer;
let logs: CloudWatchLogsClient;
const requestIds: string[] = [];
beforeAll(async () => {
  s = await startTestServer();
  logs = new CloudWatchLogsClient({
    endpoint: s.url,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  await createFunction(s.lambda, 'chatty', {
    'index.js': `exports.handler = async (e) => { console.log('hello', e.who); console.warn('careful', e.who); console.log(JSON.stringify({ level: 'audit', n: e.n })); return e.n; };`,
  });
  for (const [who, n] of [
    ['ann', 1],
    ['bob', 2],
    ['cid', 3],
  ] as const) {
    const out = await s.lambda.send(
      new InvokeCommand({ FunctionName: 'chatty', Payload: Buffer.from(JSON.stringify({ who, n })) }),
    );
    requestIds.push(out.$metadata.requestId!);
  }
});
afterAll(async () => {
  logs.destroy();
  await s.close();
});

describe('CloudWatch Logs API over function logs', () => {
  it('describes the log group and its streams', async () => {
    const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/' }));
    expect(groups.logGroups?.map((g) => g.logGroupName)).toEqual(['/aws/lambda/chatty']);
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/chatty' }));
    expect(streams.logStreams).toHaveLength(1);
    expect(streams.logStreams?.[0]?.logStreamName).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
  });

  it('filters events by pattern, with paging', async () => {
    const all = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/chatty' }));
    expect(all.events?.some((e) => e.message?.startsWith(`START RequestId: ${requestIds[0]}`))).toBe(true);
    const bob = await logs.send(
      new FilterLogEventsCommand({ logGroupName: '/aws/lambda/chatty', filterPattern: 'careful bob' }),
    );
    expect(bob.events?.map((e) => e.message?.split('\t').slice(2).join('\t'))).toEqual(['WARN\tcareful bob']);
    const either = await logs.send(
      new FilterLogEventsCommand({ logGroupName: '/aws/lambda/chatty', filterPattern: '?ann ?cid -careful' }),
    );
    expect(either.events?.map((e) => e.message?.split('\t')[3])).toEqual(['hello ann', 'hello cid']);
    const json = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: '/aws/lambda/chatty',
        filterPattern: '{ $.level = "audit" && $.n >= 2 }',
      }),
    );
    expect(json.events).toHaveLength(2);
    const first = await logs.send(
      new FilterLogEventsCommand({ logGroupName: '/aws/lambda/chatty', limit: 2 }),
    );
    expect(first.events).toHaveLength(2);
    const rest = await logs.send(
      new FilterLogEventsCommand({ logGroupName: '/aws/lambda/chatty', nextToken: first.nextToken }),
    );
    expect((first.events?.length ?? 0) + (rest.events?.length ?? 0)).toBe(all.events?.length);
  });

  it('gets the events of one stream', async () => {
    const [stream] =
      (await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/chatty' }))).logStreams ??
      [];
    const got = await logs.send(
      new GetLogEventsCommand({ logGroupName: '/aws/lambda/chatty', logStreamName: stream!.logStreamName! }),
    );
    expect(got.events?.filter((e) => e.message?.startsWith('REPORT '))).toHaveLength(3);
  });

  it('answers an unknown group as CloudWatch does', async () => {
    await expect(
      logs.send(new FilterLogEventsCommand({ logGroupName: '/custom/nothing' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    // A Lambda-style name whose function does not exist is no group either (not an empty one),
    // found out with one lookup: not by listing (and decrypting) every function.
    const list = vi.spyOn(s.nimbus.registry, 'list');
    for (const send of [
      () => logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/never-created' })),
      () => logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/never-created' })),
    ]) {
      await expect(send()).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
        message: 'The specified log group does not exist.',
        $metadata: { httpStatusCode: 400 },
      });
    }
    expect(list).not.toHaveBeenCalled();
    list.mockRestore();
  });

  it('works with `aws logs tail` and `aws logs filter-log-events`', async () => {
    const aws = awsCli(s.url);
    if (!aws) return;
    const tail = await aws(['logs', 'tail', '/aws/lambda/chatty', '--since', '1h', '--format', 'short']);
    expect(tail.code).toBe(0);
    expect(tail.stdout).toContain('hello bob');
    const filtered = await aws([
      'logs',
      'filter-log-events',
      '--log-group-name',
      '/aws/lambda/chatty',
      '--filter-pattern',
      'REPORT',
    ]);
    expect(filtered.code).toBe(0);
    expect((JSON.parse(filtered.stdout) as { events: unknown[] }).events).toHaveLength(3);
  });
});

describe('filter patterns', () => {
  it.each([
    ['', 'anything', true],
    ['ERROR', 'an ERROR here', true],
    ['ERROR', 'an error here', false],
    ['ERROR timeout', 'ERROR: timeout', true],
    ['ERROR timeout', 'ERROR only', false],
    ['"Task timed out"', 'x Task timed out after 3.00 seconds', true],
    ['ERROR -retry', 'ERROR, will retry', false],
    ['?WARN ?ERROR', 'a WARN line', true],
    ['?WARN ?ERROR', 'an INFO line', false],
    ['{ $.level = "ERR*" }', '{"level":"ERROR"}', true],
    ['{ $.latency > 100 }', 'ts\tid\tINFO\t{"latency": 250}', true],
    ['{ $.latency > 100 || $.slow = "yes" }', '{"latency": 5, "slow": "yes"}', true],
    ['{ $.user.name != "bob" }', '{"user": {"name": "bob"}}', false],
  ])('%j on %j → %s', (pattern, message, expected) => {
    expect(compileFilterPattern(pattern)(message)).toBe(expected);
  });

  it('refuses malformed JSON patterns', () => {
    expect(() => compileFilterPattern('{ level = 1 }')).toThrow(/Invalid filter pattern/);
  });
});
