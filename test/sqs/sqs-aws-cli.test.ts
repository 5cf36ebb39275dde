import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsCli, awsCli } from '../support/aws-cli.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { findAwsCliV2 } from '../support/system-tools.js';

let s: TestServer;
let aws: AwsCli | undefined;
beforeAll(async () => {
  s = await startTestServer();
  aws = awsCli(s.url);
});
afterAll(() => s.close());

const json = (r: { stdout: string }) => JSON.parse(r.stdout) as Record<string, unknown>;
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/**
 * AWS CLI 2.9 speaks SQS's query protocol: form posts, XML answers. Each CLI run starts Python
 * (a second or more on a busy machine), hence the generous timeout.
 */
describe.skipIf(!findAwsCliV2() && process.env.CI !== 'true')(
  'SQS API with the AWS CLI v2 (query protocol)',
  { timeout: 120_000 },
  () => {
    it('create-queue, send-message, receive-message, delete-message', async () => {
      const created = await aws!([
        'sqs',
        'create-queue',
        '--queue-name',
        'cli-q',
        '--attributes',
        'VisibilityTimeout=5',
      ]);
      expect(created.code, created.stderr).toBe(0);
      const url = json(created).QueueUrl as string;
      expect(url).toBe(`${s.url}/000000000000/cli-q`);
      const body = 'line one\r\nline <two> & "three"';
      const sent = await aws!([
        'sqs',
        'send-message',
        '--queue-url',
        url,
        '--message-body',
        body,
        '--message-attributes',
        '{"City":{"DataType":"String","StringValue":"Any City"},"Raw":{"DataType":"Binary","BinaryValue":"AQID"}}',
      ]);
      expect(sent.code, sent.stderr).toBe(0);
      expect(json(sent).MD5OfMessageBody).toBe(md5(body));
      const got = await aws!([
        'sqs',
        'receive-message',
        '--queue-url',
        url,
        '--attribute-names',
        'All',
        '--message-attribute-names',
        'All',
      ]);
      expect(got.code, got.stderr).toBe(0);
      const m = (json(got).Messages as Record<string, unknown>[])[0]!;
      expect(m.Body).toBe(body);
      expect(m.MD5OfBody).toBe(md5(body));
      expect(m.MD5OfMessageAttributes).toBe(json(sent).MD5OfMessageAttributes);
      expect(m.MessageAttributes).toEqual({
        City: { DataType: 'String', StringValue: 'Any City' },
        Raw: { DataType: 'Binary', BinaryValue: 'AQID' },
      });
      expect(m.Attributes).toMatchObject({ ApproximateReceiveCount: '1', SenderId: '000000000000' });
      const del = await aws!([
        'sqs',
        'delete-message',
        '--queue-url',
        url,
        '--receipt-handle',
        m.ReceiptHandle as string,
      ]);
      expect(del.code, del.stderr).toBe(0);
      const attrs = await aws!([
        'sqs',
        'get-queue-attributes',
        '--queue-url',
        url,
        '--attribute-names',
        'All',
      ]);
      expect(json(attrs).Attributes).toMatchObject({
        VisibilityTimeout: '5',
        ApproximateNumberOfMessages: '0',
        ApproximateNumberOfMessagesNotVisible: '0',
        QueueArn: 'arn:aws:sqs:us-east-1:000000000000:cli-q',
      });
    });

    it('batches, list-queues, set-queue-attributes, purge and delete', async () => {
      const url = json(await aws!(['sqs', 'create-queue', '--queue-name', 'cli-batch'])).QueueUrl as string;
      const batch = await aws!([
        'sqs',
        'send-message-batch',
        '--queue-url',
        url,
        '--entries',
        'Id=a,MessageBody=one',
        'Id=b,MessageBody=two',
      ]);
      expect(batch.code, batch.stderr).toBe(0);
      expect((json(batch).Successful as { Id: string }[]).map((e) => e.Id).sort()).toEqual(['a', 'b']);
      const list = await aws!(['sqs', 'list-queues', '--queue-name-prefix', 'cli-b']);
      expect(json(list).QueueUrls).toEqual([url]);
      const set = await aws!([
        'sqs',
        'set-queue-attributes',
        '--queue-url',
        url,
        '--attributes',
        'DelaySeconds=3',
      ]);
      expect(set.code, set.stderr).toBe(0);
      const attrs = await aws!([
        'sqs',
        'get-queue-attributes',
        '--queue-url',
        url,
        '--attribute-names',
        'DelaySeconds',
        'ApproximateNumberOfMessages',
      ]);
      expect(json(attrs).Attributes).toEqual({ DelaySeconds: '3', ApproximateNumberOfMessages: '2' });
      const received = await aws!([
        'sqs',
        'receive-message',
        '--queue-url',
        url,
        '--max-number-of-messages',
        '10',
      ]);
      const handles = (json(received).Messages as { ReceiptHandle: string }[]).map(
        (m, i) => `Id=m${i},ReceiptHandle=${m.ReceiptHandle}`,
      );
      const deleted = await aws!([
        'sqs',
        'delete-message-batch',
        '--queue-url',
        url,
        '--entries',
        ...handles,
      ]);
      expect(deleted.code, deleted.stderr).toBe(0);
      expect((json(deleted).Successful as unknown[]).length).toBe(2);
      expect((await aws!(['sqs', 'purge-queue', '--queue-url', url])).code).toBe(0);
      expect((await aws!(['sqs', 'delete-queue', '--queue-url', url])).code).toBe(0);
      const after = await aws!(['sqs', 'list-queues', '--queue-name-prefix', 'cli-b']);
      expect(after.stdout.trim()).toBe('');
    });

    it('errors in the query protocol shape', async () => {
      const missing = await aws!(['sqs', 'get-queue-url', '--queue-name', 'nope']);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain('(AWS.SimpleQueueService.NonExistentQueue)');
      const badName = await aws!(['sqs', 'create-queue', '--queue-name', 'has space']);
      expect(badName.stderr).toContain('(InvalidParameterValue)');
      const badAttr = await aws!([
        'sqs',
        'create-queue',
        '--queue-name',
        'ok',
        '--attributes',
        'MessageRetentionPeriod=10',
      ]);
      expect(badAttr.stderr).toContain('(InvalidAttributeValue)');
      const url = json(await aws!(['sqs', 'create-queue', '--queue-name', 'cli-errors'])).QueueUrl as string;
      const handle = await aws!(['sqs', 'delete-message', '--queue-url', url, '--receipt-handle', 'garbage']);
      expect(handle.stderr).toContain('(ReceiptHandleIsInvalid)');
      const bigFile = join(mkdtempSync(join(tmpdir(), 'nimbus-sqs-cli-')), 'big.txt');
      writeFileSync(bigFile, 'x'.repeat(262_145));
      const big = await aws!([
        'sqs',
        'send-message',
        '--queue-url',
        url,
        '--message-body',
        `file://${bigFile}`,
      ]);
      expect(big.stderr).toContain('Message must be shorter than 262144 bytes');
      const exists = await aws!([
        'sqs',
        'create-queue',
        '--queue-name',
        'cli-errors',
        '--attributes',
        'DelaySeconds=5',
      ]);
      expect(exists.stderr).toContain('(QueueAlreadyExists)');
    });
  },
);
