/**
 * What a function returned, as the HTTP response a front door sends (lambda-reference §7.1, §7.2).
 * `undefined` means the result is malformed: the front door answers with its own error.
 */
export interface HttpResult {
  status: number;
  /** Name/value pairs; a name may repeat (`set-cookie`). */
  headers: [string, string][];
  body: Buffer;
}

type Json = Record<string, unknown>;

/**
 * Payload format 2.0 and function URLs: an object with `statusCode` describes the response; any
 * other valid JSON (object, array, string, number, null) is sent as is: 200, `application/json`,
 * the returned JSON text verbatim (a returned string keeps its quotes).
 */
export function mapV2Result(payload: Buffer): HttpResult | undefined {
  const value = parse(payload);
  if (value === INVALID) return undefined;
  if (!isObject(value) || !('statusCode' in value)) {
    return { status: 200, headers: [['content-type', 'application/json']], body: payload };
  }
  const status = statusOf(value.statusCode);
  if (status === undefined) return undefined;
  const headers = singleHeaders(value.headers);
  if (!headers) return undefined;
  if (Array.isArray(value.cookies)) {
    for (const c of value.cookies) headers.push(['set-cookie', String(c)]);
  }
  return { status, headers, body: bodyOf(value.body, value.isBase64Encoded === true) };
}

/** Payload format 1.0: `statusCode` is required; `headers` and `multiValueHeaders` are merged. */
export function mapV1Result(payload: Buffer): HttpResult | undefined {
  const value = parse(payload);
  if (value === INVALID || !isObject(value)) return undefined;
  const status = statusOf(value.statusCode);
  if (status === undefined) return undefined;
  const headers = singleHeaders(value.headers);
  if (!headers) return undefined;
  if (!mergeMultiValue(headers, value.multiValueHeaders)) return undefined;
  return { status, headers, body: bodyOf(value.body, value.isBase64Encoded === true) };
}

/** A name in both maps takes the multi-value list (what REST and HTTP APIs send). */
function mergeMultiValue(headers: [string, string][], multi: unknown): boolean {
  if (multi === undefined || multi === null) return true;
  if (!isObject(multi)) return false;
  for (const [k, list] of Object.entries(multi)) {
    if (!Array.isArray(list)) return false;
    const lower = k.toLowerCase();
    for (let i = headers.length - 1; i >= 0; i--)
      if (headers[i]![0].toLowerCase() === lower) headers.splice(i, 1);
    for (const v of list) headers.push([k, String(v)]);
  }
  return true;
}

const INVALID = Symbol('invalid');

function parse(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return INVALID;
  }
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function statusOf(raw: unknown): number | undefined {
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 100 || n > 599) return undefined;
  return n;
}

function singleHeaders(raw: unknown): [string, string][] | undefined {
  if (raw === undefined || raw === null) return [];
  if (!isObject(raw)) return undefined;
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined || v === null) continue;
    out.push([k, Array.isArray(v) ? v.map(String).join(',') : String(v)]);
  }
  return out;
}

function bodyOf(raw: unknown, base64: boolean): Buffer {
  if (raw === undefined || raw === null) return Buffer.alloc(0);
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
  return base64 ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
}
