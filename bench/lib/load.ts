import { Agent, request } from 'node:http';

export interface LoadOptions {
  url: string;
  method?: string;
  body?: Buffer | string;
  headers?: Record<string, string>;
  connections: number;
  durationMs: number;
  /** Requests before measuring (warm sandboxes, JIT). */
  warmupMs?: number;
}

export interface LoadResult {
  connections: number;
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * A closed-loop load generator: `connections` keep-alive connections, each sending its next
 * request when the previous answer arrived. Latencies are measured per request with hrtime, so
 * sub-millisecond figures are real (autocannon rounds to whole milliseconds).
 */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections });
  const target = new URL(o.url);
  const body = o.body === undefined ? undefined : Buffer.from(o.body);
  const one = () =>
    new Promise<boolean>((ok) => {
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: o.method ?? 'POST',
          headers: { ...(body ? { 'content-length': body.length } : {}), ...o.headers },
        },
        (res) => {
          res.resume();
          res.on('end', () => ok((res.statusCode ?? 500) < 400));
        },
      );
      req.on('error', () => ok(false));
      req.end(body);
    });

  const phase = async (ms: number, record: boolean) => {
    const latencies: number[] = [];
    let errors = 0;
    const end = performance.now() + ms;
    await Promise.all(
      Array.from({ length: o.connections }, async () => {
        while (performance.now() < end) {
          const t = process.hrtime.bigint();
          const ok = await one();
          const elapsed = Number(process.hrtime.bigint() - t) / 1e6;
          if (!record) continue;
          if (ok) latencies.push(elapsed);
          else errors++;
        }
      }),
    );
    return { latencies, errors };
  };

  if (o.warmupMs) await phase(o.warmupMs, false);
  const t0 = performance.now();
  const { latencies, errors } = await phase(o.durationMs, true);
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    connections: o.connections,
    requests: latencies.length,
    errors,
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 0.5),
    p90: percentile(latencies, 0.9),
    p99: percentile(latencies, 0.99),
    max: latencies[latencies.length - 1] ?? Number.NaN,
  };
}

export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}
