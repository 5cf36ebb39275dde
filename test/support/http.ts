import { type IncomingHttpHeaders, request } from 'node:http';
import type { LookupFunction } from 'node:net';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Name/value pairs as sent (repeated `set-cookie` stay separate). */
  rawHeaders: [string, string][];
  body: Buffer;
  text: string;
}

/**
 * Resolves every `*.localhost` name to 127.0.0.1, as curl and browsers do (Node's resolver asks
 * the system, which here does not know them).
 */
const loopbackLookup: LookupFunction = (hostname, options, callback) => {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    if ((options as { all?: boolean }).all) {
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
        { address: '127.0.0.1', family: 4 },
      ]);
    } else callback(null, '127.0.0.1', 4);
    return;
  }
  callback(new Error(`unexpected host ${hostname} in a test`), '', 4);
};

/** An HTTP request with Node's own client (no fetch: it forbids `Host` and cannot resolve *.localhost). */
export function httpRequest(
  url: string,
  o: { method?: string; headers?: Record<string, string | string[]>; body?: string | Buffer } = {},
): Promise<HttpResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: o.method ?? 'GET',
        headers: o.headers,
        lookup: loopbackLookup,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const raw: [string, string][] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2)
            raw.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: raw,
            body,
            text: body.toString(),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}
