import { describe, expect, it } from 'vitest';
import { eventTraceHeader, invocationTraceHeader, newTraceRoot } from './trace-header.js';

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const FIELDS = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24});Parent=([0-9a-f]{16});Sampled=([01])$/;

describe('the trace header of an invocation', () => {
  it('is new when the caller sent none: a root from the time, unsampled in PassThrough mode', () => {
    const header = invocationTraceHeader(undefined, 'PassThrough', NOW);
    const [, root, , sampled] = FIELDS.exec(header) ?? [];
    expect(root).toMatch(new RegExp(`^1-${(NOW / 1000).toString(16)}-`));
    expect(sampled).toBe('0');
    expect(invocationTraceHeader(undefined, 'Active', NOW)).toMatch(/;Sampled=1$/);
    // Two invocations are two traces.
    expect(FIELDS.exec(invocationTraceHeader(undefined, 'PassThrough', NOW))![1]).not.toBe(root);
  });

  it("continues the caller's root and sampling decision, under a new parent", () => {
    const caller = 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1';
    const [, root, parent, sampled] = FIELDS.exec(invocationTraceHeader(caller, 'PassThrough', NOW)) ?? [];
    expect(root).toBe('1-67891233-abcdef012345678912345678');
    expect(parent).not.toBe('53995c3f42cd8ad8');
    expect(sampled).toBe('1');
    // A front door's header has only a root: the function's mode decides.
    const bare = invocationTraceHeader('Root=1-67891233-abcdef012345678912345678', 'Active', NOW);
    expect(bare).toMatch(/^Root=1-67891233-abcdef012345678912345678;Parent=[0-9a-f]{16};Sampled=1$/);
  });

  it('replaces a malformed root rather than passing it on', () => {
    for (const junk of ['Root=banana;Sampled=0', 'nonsense', '', 'Root=1-xyz-123;Parent=1']) {
      const header = invocationTraceHeader(junk, 'PassThrough', NOW);
      expect(header, junk).toMatch(FIELDS);
      expect(header).not.toContain('banana');
    }
  });

  it('makes roots of the X-Ray shape, epoch seconds padded to 8 hex digits', () => {
    expect(newTraceRoot(NOW)).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(newTraceRoot(1000)).toMatch(/^1-00000001-/);
  });
});

describe('the trace header an asynchronous event keeps', () => {
  it("is the caller's when it names a valid root, else a new root keeping the sampling decision", () => {
    const caller = 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1';
    expect(eventTraceHeader(caller, NOW)).toBe(caller);
    const fresh = eventTraceHeader(undefined, NOW);
    expect(fresh).toMatch(new RegExp(`^Root=1-${(NOW / 1000).toString(16)}-[0-9a-f]{24}$`));
    expect(eventTraceHeader(undefined, NOW)).not.toBe(fresh);
    expect(eventTraceHeader('Root=banana;Sampled=1', NOW)).toMatch(
      /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Sampled=1$/,
    );
    // Every attempt continues it.
    const root = fresh.slice('Root='.length);
    for (let i = 0; i < 3; i++)
      expect(invocationTraceHeader(fresh, 'PassThrough', NOW + i)).toContain(`Root=${root};`);
  });
});
