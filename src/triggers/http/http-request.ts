import type { IncomingMessage } from 'node:http';

/**
 * An HTTP request as the front doors (function URLs, HTTP APIs) hand it to the event builders:
 * everything the events carry, nothing tied to a socket, so the builders stay pure.
 */
export interface HttpRequestData {
  method: string;
  /** The path as received (still percent-encoded), after any routing prefix was removed. */
  rawPath: string;
  /** Without the leading `?`; `''` when there is none. */
  rawQueryString: string;
  /** Header name/value pairs in arrival order, names as the client wrote them. */
  headers: readonly (readonly [string, string])[];
  body: Buffer;
  sourceIp: string;
  /** `HTTP/1.1` */
  protocol: string;
  /** Epoch ms when the request arrived. */
  timeEpoch: number;
}

/** The request line and headers of an incoming request; the body is read separately. */
export function requestHead(
  req: IncomingMessage,
  rawPath: string,
  rawQueryString: string,
  timeEpoch: number,
): Omit<HttpRequestData, 'body'> {
  const raw = req.rawHeaders;
  const headers: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) headers.push([raw[i]!, raw[i + 1]!]);
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    rawPath,
    rawQueryString,
    headers,
    sourceIp: clientIp(req.socket.remoteAddress),
    protocol: `HTTP/${req.httpVersion}`,
    timeEpoch,
  };
}

function clientIp(address: string | undefined): string {
  if (!address) return '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** The first value of a header (case-insensitive), if present. */
export function headerValue(headers: HttpRequestData['headers'], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of headers) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/**
 * The headers a front door adds before the function sees the request, as AWS's do
 * (`X-Forwarded-For/-Proto/-Port`, `X-Amzn-Trace-Id`); client-sent values of those are replaced,
 * except that a client's `X-Forwarded-For` chain is kept and extended.
 */
export function withForwardingHeaders(
  headers: HttpRequestData['headers'],
  o: { sourceIp: string; port: number; traceId: string },
): [string, string][] {
  const replaced = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-port', 'x-amzn-trace-id']);
  const forwardedFor = headerValue(headers, 'x-forwarded-for');
  const out: [string, string][] = headers
    .filter(([k]) => !replaced.has(k.toLowerCase()))
    .map(([k, v]) => [k, v] as [string, string]);
  out.push(
    ['X-Amzn-Trace-Id', headerValue(headers, 'x-amzn-trace-id') ?? o.traceId],
    ['X-Forwarded-For', forwardedFor ? `${forwardedFor}, ${o.sourceIp}` : o.sourceIp],
    ['X-Forwarded-Port', String(o.port)],
    ['X-Forwarded-Proto', 'http'],
  );
  return out;
}
