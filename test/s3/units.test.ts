import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { S3Error } from '../../src/domain/s3-errors.js';
import type { ObjectRecord } from '../../src/domain/s3-object.js';
import { checksumOf } from '../../src/objects/checksums.js';
import { isValidBucketName } from '../../src/objects/names.js';
import { AwsChunkedDecoder } from '../../src/services/s3/aws-chunked.js';
import { checkConditions, parseRange } from '../../src/services/s3/conditions.js';
import { successor } from '../../src/store/sqlite/object-store.js';
import { buildS3EventRecord, createSequencer, encodeEventKey } from '../../src/triggers/s3/event-builder.js';
import { eventTypeMatches } from '../../src/triggers/s3/event-names.js';
import { matchingConfigurations } from '../../src/triggers/s3/notification-config.js';

describe('S3 event records', () => {
  it('encodes keys form style, keeping slashes', () => {
    expect(encodeEventKey('photos/red flower.jpg')).toBe('photos/red+flower.jpg');
    expect(encodeEventKey('a+b=c:d,e(f)')).toBe('a%2Bb%3Dc%3Ad%2Ce%28f%29');
    expect(encodeEventKey('ünï/x_y-z.*~')).toBe('%C3%BCn%C3%AF/x_y-z.*%7E');
  });

  it('builds the record AWS documents, without size and eTag for removals', () => {
    const base = {
      region: 'us-east-2',
      eventTime: Date.parse('2019-09-03T19:37:27.192Z'),
      principalId: 'AWS:AIDAINPONIXQXHT3IKHL2',
      sourceIp: '205.255.255.255',
      requestId: 'D82B88E5F771F645',
      hostId: 'vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=',
      configurationId: '828aa6fc-f7b5-4305-8584-487c791949c1',
      bucket: 'DOC-EXAMPLE-BUCKET',
      bucketOwnerId: 'A3I5XTEXAMAI3E',
      key: 'b21b84d653bb07b05b1e6b33684dc11b',
      sequencer: '0C0F6F405D6ED209E1',
    };
    expect(
      buildS3EventRecord({
        ...base,
        eventName: 'ObjectCreated:Put',
        size: 1305107,
        eTag: 'b21b84d653bb07b05b1e6b33684dc11b',
      }),
    ).toEqual({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-2',
      eventTime: '2019-09-03T19:37:27.192Z',
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: 'AWS:AIDAINPONIXQXHT3IKHL2' },
      requestParameters: { sourceIPAddress: '205.255.255.255' },
      responseElements: { 'x-amz-request-id': 'D82B88E5F771F645', 'x-amz-id-2': base.hostId },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: '828aa6fc-f7b5-4305-8584-487c791949c1',
        bucket: {
          name: 'DOC-EXAMPLE-BUCKET',
          ownerIdentity: { principalId: 'A3I5XTEXAMAI3E' },
          arn: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET',
        },
        object: {
          key: 'b21b84d653bb07b05b1e6b33684dc11b',
          size: 1305107,
          eTag: 'b21b84d653bb07b05b1e6b33684dc11b',
          sequencer: '0C0F6F405D6ED209E1',
        },
      },
    });
    const removed = buildS3EventRecord({ ...base, eventName: 'ObjectRemoved:Delete' });
    expect(removed.s3.object).toEqual({ key: base.key, sequencer: base.sequencer });
  });

  it('orders sequencers, also within one millisecond and when the clock steps back', () => {
    const next = createSequencer();
    const seqs = [next(1000), next(1000), next(1000), next(999), next(2000)];
    expect([...seqs].sort()).toEqual(seqs);
    expect(new Set(seqs).size).toBe(5);
  });

  it('matches event types and key filters', () => {
    expect(eventTypeMatches('s3:ObjectCreated:*', 'ObjectCreated:Put')).toBe(true);
    expect(eventTypeMatches('s3:ObjectCreated:Put', 'ObjectCreated:Copy')).toBe(false);
    expect(eventTypeMatches('s3:ObjectRemoved:*', 'ObjectCreated:Put')).toBe(false);
    const config = {
      lambdaFunctions: [
        {
          id: 'a',
          functionArn: 'x',
          events: ['s3:ObjectCreated:*'],
          filter: { prefix: 'in/', suffix: '.png' },
        },
        { id: 'b', functionArn: 'y', events: ['s3:ObjectCreated:Copy'], filter: {} },
      ],
    };
    expect(matchingConfigurations(config, 'ObjectCreated:Put', 'in/a.png').map((c) => c.id)).toEqual(['a']);
    expect(matchingConfigurations(config, 'ObjectCreated:Copy', 'in/a.png').map((c) => c.id)).toEqual([
      'a',
      'b',
    ]);
    expect(matchingConfigurations(config, 'ObjectCreated:Put', 'out/a.png')).toEqual([]);
    expect(matchingConfigurations(config, 'ObjectCreated:Put', 'in/a.jpg')).toEqual([]);
  });
});

describe('aws-chunked', () => {
  const decode = async (body: string | Buffer, split = 3) => {
    const bytes = Buffer.from(body);
    const pieces: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += split) pieces.push(bytes.subarray(i, i + split));
    const d = new AwsChunkedDecoder(Readable.from(pieces));
    const out: Buffer[] = [];
    for await (const c of d) out.push(c);
    return { data: Buffer.concat(out).toString(), trailers: Object.fromEntries(d.trailers) };
  };

  it('decodes signed chunks and unsigned chunks with trailers, however the bytes arrive', async () => {
    const sig = `chunk-signature=${'a'.repeat(64)}`;
    expect(await decode(`5;${sig}\r\nhello\r\n6;${sig}\r\n world\r\n0;${sig}\r\n\r\n`)).toEqual({
      data: 'hello world',
      trailers: {},
    });
    const unsigned =
      'a\r\n0123456789\r\n0\r\nx-amz-checksum-crc32:S4457w==\r\nx-amz-trailer-signature:abc\r\n\r\n';
    for (const split of [1, 2, 7, 1000]) {
      expect(await decode(unsigned, split)).toEqual({
        data: '0123456789',
        trailers: { 'x-amz-checksum-crc32': 'S4457w==', 'x-amz-trailer-signature': 'abc' },
      });
    }
  });

  it('refuses truncated and malformed framing', async () => {
    await expect(decode('5\r\nhel')).rejects.toMatchObject({ code: 'IncompleteBody' });
    await expect(decode('5\r\nhello\r\n')).rejects.toMatchObject({ code: 'IncompleteBody' });
    await expect(decode('g\r\nhello\r\n0\r\n\r\n')).rejects.toMatchObject({ code: 'InvalidRequest' });
    await expect(decode('5\r\nhelloXX0\r\n\r\n')).rejects.toMatchObject({ code: 'InvalidRequest' });
  });
});

describe('ranges and preconditions', () => {
  it('parses the range forms S3 accepts', () => {
    expect(parseRange('bytes=0-0', 10)).toEqual({ start: 0, end: 0 });
    expect(parseRange('bytes=-20', 10)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=3-', 10)).toEqual({ start: 3, end: 9 });
    expect(parseRange('bytes=1-2,4-5', 10)).toBeUndefined();
    expect(parseRange('items=1-2', 10)).toBeUndefined();
    expect(() => parseRange('bytes=0-', 0)).toThrow(S3Error);
  });

  it('pairs conditions as S3 documents', () => {
    const o = { etag: 'abc', lastModified: Date.parse('2026-01-01T00:00:00Z') } as ObjectRecord;
    const later = 'Fri, 02 Jan 2026 00:00:00 GMT';
    const earlier = 'Wed, 31 Dec 2025 00:00:00 GMT';
    const code = (c: Parameters<typeof checkConditions>[1], notModified = true) => {
      try {
        checkConditions(o, c, notModified);
        return 'ok';
      } catch (e) {
        return (e as S3Error).code;
      }
    };
    expect(code({ ifMatch: '"abc"', ifUnmodifiedSince: earlier })).toBe('ok');
    expect(code({ ifMatch: '"x"' })).toBe('PreconditionFailed');
    expect(code({ ifUnmodifiedSince: earlier })).toBe('PreconditionFailed');
    expect(code({ ifNoneMatch: '"x"', ifModifiedSince: later })).toBe('ok');
    expect(code({ ifNoneMatch: 'W/"abc"' })).toBe('NotModified');
    expect(code({ ifModifiedSince: later })).toBe('NotModified');
    expect(code({ ifModifiedSince: 'not a date' })).toBe('ok');
    expect(code({ ifNoneMatch: '*' }, false)).toBe('PreconditionFailed');
  });
});

describe('names, checksums, key order', () => {
  it('applies the bucket naming rules', () => {
    for (const ok of ['abc', 'my.bucket-1', 'a'.repeat(63), '1bucket'])
      expect(isValidBucketName(ok), ok).toBe(true);
    for (const bad of [
      'ab',
      'a_b',
      'Abc',
      'a..b',
      'a.-b'.replace('.-', '..'),
      '10.0.0.1',
      'sthree-x',
      'x-s3alias',
      'abc-',
    ])
      expect(isValidBucketName(bad), bad).toBe(false);
  });

  it('computes the standard check values', () => {
    const v = Buffer.from('123456789');
    const hex = (a: Parameters<typeof checksumOf>[0]) =>
      Buffer.from(checksumOf(a, v), 'base64').toString('hex');
    expect(hex('CRC32')).toBe('cbf43926');
    expect(hex('CRC32C')).toBe('e3069283');
    expect(hex('CRC64NVME')).toBe('ae8b14860a799888');
  });

  it('finds the least string after every key with a prefix', () => {
    expect(successor('a/')).toBe('a0');
    expect(successor('')).toBeUndefined();
    expect(successor('a\u{10FFFF}')).toBe('b');
    expect(successor('\u{D7FF}')).toBe('\u{E000}');
  });
});
