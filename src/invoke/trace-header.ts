import { randomBytes } from 'node:crypto';

/** `1-<8 hex: epoch seconds>-<24 hex>`, an X-Ray trace id. */
const TRACE_ROOT = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;

/**
 * The trace header of one invocation, sent to the runtime as `Lambda-Runtime-Trace-Id` (which
 * managed runtimes copy into `_X_AMZN_TRACE_ID`, lambda-reference §4.1-4.2). Lambda sends one on
 * every invocation, traced or not (`Root=1-…;Parent=…;Sampled=0` in PassThrough mode), and the
 * X-Ray SDK, Powertools' Tracer and Logger (`xray_trace_id`) read it; without it the X-Ray SDK
 * logs "Missing AWS Lambda trace data" on every invocation.
 *
 * The caller's trace (the `X-Amzn-Trace-Id` of an Invoke call or of an HTTP request through a
 * front door) is continued: its Root, and its sampling decision when it made one. Otherwise the
 * trace is new, sampled when the function's tracing mode is Active (Lambda's own sampling rules
 * are not modelled). Parent is always new: the id of the function's segment.
 */
export function invocationTraceHeader(
  incoming: string | undefined,
  tracingMode: 'Active' | 'PassThrough',
  nowMs: number,
): string {
  const fields = parseTraceHeader(incoming);
  const root = fields.Root && TRACE_ROOT.test(fields.Root) ? fields.Root : newTraceRoot(nowMs);
  const sampled =
    fields.Sampled === '1' || fields.Sampled === '0' ? fields.Sampled : tracingMode === 'Active' ? '1' : '0';
  return `Root=${root};Parent=${randomBytes(8).toString('hex')};Sampled=${sampled}`;
}

/**
 * The trace header an asynchronous event keeps for every attempt, fixed when it is accepted: on
 * Lambda all attempts of one event are in one trace. The caller's header when it names a valid
 * Root; otherwise a new Root (keeping the caller's sampling decision, if it made one). Each
 * attempt then gets its own Parent from {@link invocationTraceHeader}.
 */
export function eventTraceHeader(incoming: string | undefined, nowMs: number): string {
  const fields = parseTraceHeader(incoming);
  if (incoming !== undefined && fields.Root && TRACE_ROOT.test(fields.Root)) return incoming;
  const sampled = fields.Sampled === '1' || fields.Sampled === '0' ? `;Sampled=${fields.Sampled}` : '';
  return `Root=${newTraceRoot(nowMs)}${sampled}`;
}

/** `Root=1-…-…`, the X-Ray trace id AWS front doors put in `X-Amzn-Trace-Id`. */
export function newTraceRoot(nowMs: number): string {
  return `1-${Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, '0')}-${randomBytes(12).toString('hex')}`;
}

/** `Root=a;Parent=b;Sampled=1` → `{ Root: 'a', Parent: 'b', Sampled: '1' }`. */
function parseTraceHeader(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) out[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return out;
}
