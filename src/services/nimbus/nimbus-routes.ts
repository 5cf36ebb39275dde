import { z } from 'zod';
import type { CodeStore } from '../../artifacts/code-store.js';
import { notFound } from '../../domain/errors.js';
import type { RestRouter } from '../../gateway/rest-router.js';
import type { ConcurrencyLimiter } from '../../invoke/concurrency.js';
import { costOf, type Prices } from '../../observability/pricing.js';
import type { FunctionRegistry } from '../../registry/function-registry.js';
import type { SandboxManager } from '../../sandbox/sandbox-manager.js';
import type { InvocationStore, LogStore } from '../../store/ports.js';
import type { CodeLinks } from '../code-links.js';
import type { LambdaRoute } from '../lambda/lambda-call.js';
import { parseMembers } from '../lambda/validation.js';
import { runtimeOffers } from './runtime-templates.js';

export interface NimbusRoutesDeps {
  registry: FunctionRegistry;
  code: CodeStore;
  codeLinks: CodeLinks;
  logs: LogStore;
  invocations: InvocationStore;
  sandboxes: SandboxManager;
  concurrency: ConcurrencyLimiter;
  prices: Prices;
  /** Make pending log and metering records visible to queries. */
  flush: () => Promise<void>;
  version: string;
  isolation: string;
  region: string;
  accountId: string;
  /** Whether every request must be signed (the console asks for an access key then). */
  authentication: boolean;
}

const LogsQuery = z.strictObject({
  startTime: z.coerce.number().int().nonnegative().optional(),
  endTime: z.coerce.number().int().nonnegative().optional(),
  requestId: z.string().max(128).optional(),
  filter: z.string().max(1024).optional(),
  afterId: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});

const UsageQuery = z.strictObject({
  since: z.coerce.number().int().nonnegative().optional(),
  until: z.coerce.number().int().nonnegative().optional(),
  by: z.enum(['all', 'day', 'hour']).optional(),
  function: z.string().max(64).optional(),
});

const RecentQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  /** Epoch ms (exclusive): the page of invocations that started before it. */
  before: z.coerce.number().int().nonnegative().optional(),
});

/**
 * Nimbus's own API under `/nimbus/v1` (what AWS has no wire format for): function logs, metering
 * and usage, server status, and code downloads behind GetFunction's pre-signed `Code.Location`.
 */
export function addNimbusRoutes(router: RestRouter<LambdaRoute>, d: NimbusRoutesDeps): void {
  const requireFunction = async (name: string | undefined) => {
    const record = await d.registry.get(name ?? '');
    if (!record) throw notFound(`Function not found: ${d.registry.arn(name ?? '')}`);
    return record;
  };

  router.add('GET', '/nimbus/v1/code/{BlobKey}', {
    operation: 'DownloadCode',
    // The link carries its own expiry and HMAC (GetFunction's pre-signed Code.Location).
    auth: 'none',
    handler: async (call) => {
      const key = call.params.BlobKey ?? '';
      const ok =
        /^[0-9a-f]{64}$/.test(key) &&
        d.codeLinks.verify(key, call.x.query.get('expires'), call.x.query.get('signature'));
      const zip = ok ? await d.code.zip(key) : undefined;
      if (!zip) throw notFound('The code link is invalid or has expired. Call GetFunction for a new one.');
      return { status: 200, raw: zip, headers: { 'content-type': 'application/zip' } };
    },
  });

  router.add('GET', '/nimbus/v1/functions/{FunctionName}/logs', {
    operation: 'GetFunctionLogs',
    handler: async (call) => {
      const record = await requireFunction(call.params.FunctionName);
      const q = parseMembers(LogsQuery, Object.fromEntries(call.x.query));
      await d.flush();
      const limit = q.limit ?? 1000;
      const events = await d.logs.query({
        functionName: record.name,
        limit,
        ...(q.startTime === undefined ? {} : { startTime: q.startTime }),
        ...(q.endTime === undefined ? {} : { endTime: q.endTime }),
        ...(q.requestId === undefined ? {} : { requestId: q.requestId }),
        ...(q.filter === undefined ? {} : { contains: q.filter }),
        ...(q.afterId === undefined ? {} : { afterId: q.afterId }),
      });
      const last = events[events.length - 1];
      return { status: 200, json: { events, nextAfterId: last ? last.id : (q.afterId ?? 0) } };
    },
  });

  router.add('GET', '/nimbus/v1/functions/{FunctionName}/invocations', {
    operation: 'ListInvocations',
    handler: async (call) => {
      const record = await requireFunction(call.params.FunctionName);
      const q = parseMembers(RecentQuery, Object.fromEntries(call.x.query));
      await d.flush();
      const limit = q.limit ?? 50;
      const invocations = await d.invocations.recent(record.name, limit, q.before);
      const last = invocations[invocations.length - 1];
      return {
        status: 200,
        json: {
          invocations,
          ...(invocations.length === limit && last ? { nextBefore: last.startedAt } : {}),
        },
      };
    },
  });

  router.add('GET', '/nimbus/v1/usage', {
    operation: 'GetUsage',
    handler: async (call) => {
      const q = parseMembers(UsageQuery, Object.fromEntries(call.x.query));
      await d.flush();
      const rows = (
        await d.invocations.usage({
          by: q.by ?? 'all',
          ...(q.since === undefined ? {} : { since: q.since }),
          ...(q.until === undefined ? {} : { until: q.until }),
          ...(q.function === undefined ? {} : { functionName: q.function }),
        })
      ).map((r) => costOf(r, d.prices));
      const total = rows.reduce(
        (t, r) => ({
          requests: t.requests + r.requests,
          errors: t.errors + r.errors,
          gbSeconds: t.gbSeconds + r.gbSeconds,
          cost: t.cost + r.cost,
        }),
        { requests: 0, errors: 0, gbSeconds: 0, cost: 0 },
      );
      return { status: 200, json: { rows, total, prices: d.prices, currency: 'USD' } };
    },
  });

  router.add('GET', '/nimbus/v1/status', {
    operation: 'GetStatus',
    handler: async () => {
      const usage = await d.registry.accountUsage();
      return {
        status: 200,
        json: {
          version: d.version,
          region: d.region,
          accountId: d.accountId,
          authentication: d.authentication ? 'sigv4' : 'off',
          isolation: d.isolation,
          sandboxing: d.sandboxes.describe(),
          functions: usage.functionCount,
          concurrency: {
            limit: d.concurrency.accountLimit,
            unreserved: d.concurrency.unreservedLimit,
            inFlight: d.concurrency.inFlight,
            throttles: d.concurrency.throttles,
          },
          sandboxes: d.sandboxes.stats(),
        },
      };
    },
  });

  router.add('GET', '/nimbus/v1/runtimes', {
    operation: 'ListRuntimes',
    handler: async () => ({ status: 200, json: { runtimes: runtimeOffers() } }),
  });

  router.add('GET', '/nimbus/v1/functions/{FunctionName}/status', {
    operation: 'GetFunctionStatus',
    handler: async (call) => {
      const record = await requireFunction(call.params.FunctionName);
      const reserved = d.concurrency.reservedFor(record.name);
      return {
        status: 200,
        json: {
          functionName: record.name,
          inFlight: d.concurrency.inFlightFor(record.name),
          throttles: d.concurrency.throttlesFor(record.name),
          ...(reserved === undefined ? {} : { reservedConcurrency: reserved }),
          sandboxes: d.sandboxes.functionStats(record.name),
        },
      };
    },
  });
}
