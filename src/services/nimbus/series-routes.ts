import { z } from 'zod';
import { invalidParameter, notFound } from '../../domain/errors.js';
import type { RestRouter } from '../../gateway/rest-router.js';
import type { FunctionRegistry } from '../../registry/function-registry.js';
import type { InvocationStore } from '../../store/ports.js';
import type { LambdaCall, LambdaRoute } from '../lambda/lambda-call.js';
import { parseMembers } from '../lambda/validation.js';

/** A chart has at most this many points; a longer range needs a longer period. */
export const SERIES_MAX_POINTS = 1_440;
const DEFAULT_RANGE_MS = 3_600_000;
const DEFAULT_PERIOD_SECONDS = 60;

const SeriesQuery = z.strictObject({
  since: z.coerce.number().int().nonnegative().optional(),
  until: z.coerce.number().int().nonnegative().optional(),
  /** Seconds, as CloudWatch's `Period`. */
  period: z.coerce.number().int().min(1).max(86_400).optional(),
  /** One version's invocations (`$LATEST` or a number); throttles are recorded per function. */
  version: z
    .string()
    .regex(/^(\$LATEST|[1-9][0-9]{0,9})$/)
    .optional(),
});

export interface SeriesRoutesDeps {
  registry: FunctionRegistry;
  invocations: InvocationStore;
  flush: () => Promise<void>;
  now: () => number;
}

/**
 * Time series for the console's charts, computed from the metering and throttle records:
 * invocations, errors, throttles, cold starts, duration p50/p99/max and concurrency per period.
 * `GET /nimbus/v1/functions/{name}/metrics` for one function, `GET /nimbus/v1/metrics` for all.
 */
export function addSeriesRoutes(router: RestRouter<LambdaRoute>, d: SeriesRoutesDeps): void {
  const series = async (call: LambdaCall, functionName?: string) => {
    const q = parseMembers(SeriesQuery, Object.fromEntries(call.x.query));
    const until = q.until ?? d.now();
    const since = q.since ?? until - DEFAULT_RANGE_MS;
    const period = q.period ?? DEFAULT_PERIOD_SECONDS;
    if (since >= until) throw invalidParameter('since must be earlier than until.');
    const points = Math.ceil((until - since) / (period * 1000));
    if (points > SERIES_MAX_POINTS) {
      throw invalidParameter(
        `The range holds ${points} periods of ${period} s; at most ${SERIES_MAX_POINTS} are allowed. Use a longer period.`,
      );
    }
    await d.flush();
    const data = await d.invocations.series({
      since,
      until,
      periodMs: period * 1000,
      ...(functionName === undefined ? {} : { functionName }),
      ...(q.version === undefined ? {} : { version: q.version }),
    });
    return {
      status: 200,
      json: {
        ...(functionName ? { functionName } : {}),
        ...(q.version === undefined ? {} : { version: q.version }),
        since,
        until,
        period,
        points: data,
      },
    };
  };

  router.add('GET', '/nimbus/v1/functions/{FunctionName}/metrics', {
    operation: 'GetFunctionMetrics',
    handler: async (call) => {
      const name = call.params.FunctionName ?? '';
      const record = await d.registry.get(name);
      if (!record) throw notFound(`Function not found: ${d.registry.arn(name)}`);
      return series(call, record.name);
    },
  });

  router.add('GET', '/nimbus/v1/metrics', {
    operation: 'GetMetrics',
    handler: (call) => series(call),
  });
}
