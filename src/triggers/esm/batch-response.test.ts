import { describe, expect, it } from 'vitest';
import { readBatchItemFailures } from './batch-response.js';

const ids = new Set(['a', 'b']);
const read = (v: string) => readBatchItemFailures(Buffer.from(v), ids);

describe('partial batch responses (ReportBatchItemFailures)', () => {
  it('complete success: empty or null lists, empty or null responses', () => {
    for (const ok of ['', 'null', '{}', '{"batchItemFailures":[]}', '{"batchItemFailures":null}']) {
      expect(read(ok), ok).toEqual({ kind: 'success' });
    }
  });

  it('the listed items failed', () => {
    expect(read('{"batchItemFailures":[{"itemIdentifier":"b"}]}')).toEqual({
      kind: 'partial',
      failed: ['b'],
    });
  });

  it('complete failure: not JSON, empty, null or unknown identifiers, wrong key', () => {
    for (const bad of [
      'not json',
      '{"batchItemFailures":[{"itemIdentifier":""}]}',
      '{"batchItemFailures":[{"itemIdentifier":null}]}',
      '{"batchItemFailures":[{"itemIdentifier":"zzz"}]}',
      '{"batchItemFailures":[{"id":"a"}]}',
      '{"batchItemFailures":"a"}',
    ]) {
      expect(read(bad).kind, bad).toBe('failure');
    }
  });
});
