import { timingSafeEqual } from 'node:crypto';
import type { HttpExchange } from '../../gateway/exchange.js';
import { sendJson } from '../../gateway/exchange.js';
import type { Feature } from '../app.js';

/**
 * Prometheus metrics at `GET /metrics`: core invocation series (observability/metrics.ts) plus
 * sandboxes per function and state, and concurrent executions. Queue depths and trigger lag are
 * registered by the features that own them: `nimbus_async_events` (async-invoke),
 * `nimbus_sqs_messages` (queues), `nimbus_trigger_lag_seconds` (event-source-mappings) and
 * `nimbus_schedule_lag_seconds` (schedules), each read from its store at scrape time. Open like the rest of the API on
 * loopback; when SigV4 is enforced, a scraper authenticates with SigV4 or with
 * `Authorization: Bearer <NIMBUS_SECRET_ACCESS_KEY>` (what Prometheus's `authorization` setting
 * sends).
 */
export const metricsEndpoint: Feature = (app) => {
  const { metrics, sandboxes, concurrency } = app;
  metrics.gauge(
    'nimbus_sandboxes',
    'Sandbox processes by function and state',
    ['function', 'state'],
    (set) => {
      for (const [fn, s] of sandboxes.statsByFunction()) {
        set({ function: fn, state: 'idle' }, s.idle);
        set({ function: fn, state: 'busy' }, s.busy);
        set({ function: fn, state: 'starting' }, s.starting);
      }
    },
  );
  metrics.gauge('nimbus_invocations_waiting', 'Invocations waiting for a sandbox', ['function'], (set) => {
    for (const [fn, s] of sandboxes.statsByFunction()) set({ function: fn }, s.waiting);
  });
  metrics.gauge('nimbus_concurrent_executions', 'Invocations in flight (account-wide)', [], (set) =>
    set({}, concurrency.inFlight),
  );
  metrics.gauge('nimbus_concurrency_limit', 'Account-wide concurrency limit', [], (set) =>
    set({}, concurrency.accountLimit),
  );

  const bearer = app.config.secretAccessKey ? Buffer.from(`Bearer ${app.config.secretAccessKey}`) : undefined;
  const allowed = async (x: HttpExchange): Promise<boolean> => {
    if (!app.auth.enforce) return true;
    const given = x.req.headers.authorization;
    if (bearer && given && !given.startsWith('AWS4-')) {
      const g = Buffer.from(given);
      return g.length === bearer.length && timingSafeEqual(g, bearer);
    }
    return (await app.auth.verify(x, Buffer.alloc(0))).ok;
  };

  app.surfaces.push({
    name: 'metrics',
    matches: (x) => x.path === '/metrics',
    async handle(x) {
      x.req.resume();
      if (x.method !== 'GET') return sendJson(x, 405, { message: 'Method Not Allowed' });
      if (!(await allowed(x))) {
        return sendJson(
          x,
          403,
          { message: 'Missing Authentication Token' },
          {
            'x-amzn-errortype': 'MissingAuthenticationTokenException',
          },
        );
      }
      const text = await metrics.text();
      x.res.writeHead(200, {
        'content-type': metrics.contentType,
        'content-length': Buffer.byteLength(text),
      });
      x.res.end(text);
    },
  });
};
