import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One report a function sent. */
export interface ProbeHit {
  /** Arrival time at the probe (epoch ms). */
  at: number;
  body: Record<string, unknown>;
}

export interface Probe {
  /** Give this to functions (as the PROBE_URL environment variable). */
  url: string;
  hits: ProbeHit[];
  /** What the probe answers a hit (JSON); `null` by default. */
  respond: (hit: ProbeHit, hits: ProbeHit[]) => unknown;
  /** Polls until `check` holds; fails after the deadline naming `what`. */
  waitFor(check: (hits: ProbeHit[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A loopback HTTP server that functions POST JSON to: tests count executions from the
 * function's side (what ran, when, with which request id), and can steer a function's next
 * answer through `respond`.
 */
export async function startProbe(): Promise<Probe> {
  const probe: Probe = {
    url: '',
    hits: [],
    respond: () => null,
    async waitFor(check, what, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!check(probe.hits)) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what} (${probe.hits.length} hits)`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        body = { unparsable: Buffer.concat(chunks).toString('utf8') };
      }
      const hit = { at: Date.now(), body };
      probe.hits.push(hit);
      const answer = JSON.stringify(probe.respond(hit, probe.hits) ?? null);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
      res.end(answer);
    });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  probe.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const close = probe.close;
  probe.close = async () => {
    server.closeAllConnections();
    await close();
  };
  return probe;
}

/**
 * Function source (CommonJS) defining `probe(body)`: POSTs JSON to PROBE_URL and resolves with
 * the probe's answer. Prepend it to a handler.
 */
export const PROBE_CLIENT = `
const __http = require('node:http');
function probe(body) {
  return new Promise((resolve, reject) => {
    const req = __http.request(process.env.PROBE_URL, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(JSON.parse(text || 'null')));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
`;
