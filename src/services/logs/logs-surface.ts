import { z } from 'zod';
import type { AccountScope } from '../../domain/arn.js';
import { defaultLogGroup } from '../../domain/function.js';
import {
  BodyTooLargeError,
  type HttpExchange,
  readRequestBody,
  type Surface,
  sendJson,
} from '../../gateway/exchange.js';
import type { SigV4Authenticator } from '../../gateway/sigv4-auth.js';
import type { Logger } from '../../observability/logger.js';
import type { FunctionRegistry } from '../../registry/function-registry.js';
import type { LogStore, StoredLogEvent } from '../../store/ports.js';
import { compileFilterPattern, FilterPatternError } from './filter-pattern.js';

/** CloudWatch Logs' JSON protocol (awsJson1_1): `X-Amz-Target: Logs_20140328.<Operation>`. */
const TARGET_PREFIX = 'Logs_20140328.';
const MAX_BODY_BYTES = 1_048_576;
/** CloudWatch returns at most 10,000 events (1 MB) per call. */
const MAX_EVENTS = 10_000;
const LAMBDA_PREFIX = '/aws/lambda/';
const LAMBDA_GROUP = /^\/aws\/lambda\/([a-zA-Z0-9-_]+)$/;

class LogsError extends Error {
  constructor(
    readonly type:
      | 'ResourceNotFoundException'
      | 'InvalidParameterException'
      | 'UnrecognizedClientException'
      | 'AccessDeniedException'
      | 'ServiceUnavailableException',
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface LogsSurfaceOptions {
  registry: FunctionRegistry;
  logs: LogStore;
  auth: SigV4Authenticator;
  scope: AccountScope;
  log: Logger;
  /** Make pending function log lines visible before answering. */
  flush: () => Promise<void>;
}

const Limit = z.number().int().min(1).max(MAX_EVENTS);
const Time = z.number().int().nonnegative();

const FilterLogEvents = z.object({
  logGroupName: z.string().min(1).max(512).optional(),
  logGroupIdentifier: z.string().min(1).max(2048).optional(),
  logStreamNames: z.array(z.string()).max(100).optional(),
  logStreamNamePrefix: z.string().optional(),
  startTime: Time.optional(),
  endTime: Time.optional(),
  filterPattern: z.string().max(1024).optional(),
  nextToken: z.string().optional(),
  limit: Limit.optional(),
  interleaved: z.boolean().optional(),
  unmask: z.boolean().optional(),
});

const GetLogEvents = z.object({
  logGroupName: z.string().min(1).max(512).optional(),
  logGroupIdentifier: z.string().min(1).max(2048).optional(),
  logStreamName: z.string().min(1).max(512),
  startTime: Time.optional(),
  endTime: Time.optional(),
  nextToken: z.string().optional(),
  limit: Limit.optional(),
  startFromHead: z.boolean().optional(),
  unmask: z.boolean().optional(),
});

const DescribeLogGroups = z.object({
  logGroupNamePrefix: z.string().optional(),
  logGroupNamePattern: z.string().optional(),
  nextToken: z.string().optional(),
  limit: z.number().int().min(1).max(50).optional(),
  accountIdentifiers: z.array(z.string()).optional(),
  includeLinkedAccounts: z.boolean().optional(),
  logGroupClass: z.string().optional(),
  logGroupIdentifiers: z.array(z.string()).optional(),
});

const DescribeLogStreams = z.object({
  logGroupName: z.string().min(1).max(512).optional(),
  logGroupIdentifier: z.string().min(1).max(2048).optional(),
  logStreamNamePrefix: z.string().optional(),
  orderBy: z.enum(['LogStreamName', 'LastEventTime']).optional(),
  descending: z.boolean().optional(),
  nextToken: z.string().optional(),
  limit: z.number().int().min(1).max(50).optional(),
});

/**
 * The subset of the CloudWatch Logs API that `aws logs tail`, `aws logs filter-log-events`,
 * `get-log-events` and `describe-log-groups/streams` use, over the function logs Nimbus keeps. A
 * function's log group is its `LoggingConfig.LogGroup` (default `/aws/lambda/<name>`); its streams
 * are one per sandbox, as on Lambda.
 */
export class LogsSurface implements Surface {
  readonly name = 'logs';

  constructor(private readonly o: LogsSurfaceOptions) {}

  matches(x: HttpExchange): boolean {
    const target = x.req.headers['x-amz-target'];
    return x.method === 'POST' && typeof target === 'string' && target.startsWith(TARGET_PREFIX);
  }

  async handle(x: HttpExchange): Promise<void> {
    try {
      let body: Buffer;
      try {
        body = await readRequestBody(x.req, MAX_BODY_BYTES);
      } catch (e) {
        if (e instanceof BodyTooLargeError)
          throw new LogsError('InvalidParameterException', 'Request too large');
        throw e;
      }
      const auth = await this.o.auth.verify(x, body);
      if (!auth.ok)
        throw new LogsError(
          auth.failure === 'unknown-key' ? 'UnrecognizedClientException' : 'AccessDeniedException',
          auth.message,
          403,
        );
      const operation = String(x.req.headers['x-amz-target']).slice(TARGET_PREFIX.length);
      let input: unknown = {};
      if (body.length > 0) {
        try {
          input = JSON.parse(body.toString('utf8'));
        } catch {
          throw new LogsError('InvalidParameterException', 'The request body is not valid JSON.');
        }
      }
      await this.o.flush();
      sendJson(x, 200, await this.#dispatch(operation, input), {
        'content-type': 'application/x-amz-json-1.1',
      });
    } catch (e) {
      const err =
        e instanceof LogsError
          ? e
          : e instanceof FilterPatternError
            ? new LogsError('InvalidParameterException', e.message)
            : e instanceof z.ZodError
              ? new LogsError(
                  'InvalidParameterException',
                  e.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
                )
              : undefined;
      if (!err) this.o.log.error({ err: e }, 'CloudWatch Logs API failed');
      const out = err ?? new LogsError('ServiceUnavailableException', 'An internal error occurred.', 500);
      sendJson(
        x,
        out.status,
        { __type: out.type, message: out.message },
        {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-errortype': out.type,
        },
      );
    }
  }

  async #dispatch(operation: string, input: unknown): Promise<unknown> {
    switch (operation) {
      case 'FilterLogEvents':
        return this.#filter(FilterLogEvents.parse(input));
      case 'GetLogEvents':
        return this.#get(GetLogEvents.parse(input));
      case 'DescribeLogGroups':
        return this.#groups(DescribeLogGroups.parse(input));
      case 'DescribeLogStreams':
        return this.#streams(DescribeLogStreams.parse(input));
      default:
        throw new LogsError(
          'InvalidParameterException',
          `Operation ${operation} is not supported by Nimbus.`,
        );
    }
  }

  /** The function whose log a group is. */
  async #functionOf(group: {
    logGroupName?: string | undefined;
    logGroupIdentifier?: string | undefined;
  }): Promise<string> {
    const raw = group.logGroupName ?? group.logGroupIdentifier;
    if (!raw)
      throw new LogsError('InvalidParameterException', 'logGroupName or logGroupIdentifier is required.');
    const name = raw.startsWith('arn:')
      ? raw.replace(/^arn:[^:]+:logs:[^:]*:\d*:log-group:/, '').replace(/:\*$/, '')
      : raw;
    // A function's log group exists while the function does (DescribeLogGroups lists the same
    // groups); any other name is CloudWatch's ResourceNotFoundException, which clients such as
    // boto3 users catch to tell "no group" from "no events".
    if (name.startsWith(LAMBDA_PREFIX)) {
      // One lookup: `aws logs tail --follow` of a missing function asks again every few seconds,
      // and listing would load (and decrypt) every function each time. A custom LoggingConfig
      // group under /aws/lambda/ is therefore only found through its function's name.
      const lambda = LAMBDA_GROUP.exec(name);
      if (lambda && (await this.o.registry.get(lambda[1]!))) return lambda[1]!;
      throw new LogsError('ResourceNotFoundException', 'The specified log group does not exist.');
    }
    for (const f of await this.o.registry.list(undefined, 100_000)) {
      if (f.latest.loggingConfig.logGroup === name) return f.name;
    }
    throw new LogsError('ResourceNotFoundException', 'The specified log group does not exist.');
  }

  async #filter(q: z.infer<typeof FilterLogEvents>) {
    const functionName = await this.#functionOf(q);
    const match = compileFilterPattern(q.filterPattern);
    const limit = q.limit ?? MAX_EVENTS;
    const afterId = q.nextToken ? decodeToken(q.nextToken) : undefined;
    const events: StoredLogEvent[] = [];
    let cursor = afterId;
    let exhausted = false;
    // Scan in pages until the limit is met: a selective pattern may skip many lines.
    while (events.length < limit && !exhausted) {
      const page = await this.o.logs.query({
        functionName,
        limit: 1000,
        ...(cursor === undefined ? {} : { afterId: cursor }),
        ...(q.startTime === undefined ? {} : { startTime: q.startTime }),
        ...(q.endTime === undefined ? {} : { endTime: q.endTime }),
        ...(q.logStreamNames ? { logStreams: q.logStreamNames } : {}),
        ...(q.logStreamNamePrefix ? { logStreamPrefix: q.logStreamNamePrefix } : {}),
      });
      let consumed = 0;
      for (const e of page) {
        cursor = e.id;
        consumed++;
        if (match(e.message)) events.push(e);
        if (events.length >= limit) break;
      }
      exhausted = page.length < 1000 && consumed === page.length;
    }
    const streams = [...new Set(events.map((e) => e.logStream))];
    return {
      events: events.map((e) => ({
        logStreamName: e.logStream,
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime: e.timestamp,
        eventId: String(e.id).padStart(20, '0'),
      })),
      searchedLogStreams: streams.map((logStreamName) => ({ logStreamName, searchedCompletely: exhausted })),
      ...(exhausted || cursor === undefined ? {} : { nextToken: encodeToken(cursor) }),
    };
  }

  async #get(q: z.infer<typeof GetLogEvents>) {
    const functionName = await this.#functionOf(q);
    const afterId = q.nextToken ? decodeToken(q.nextToken.replace(/^[fb]\//, '')) : undefined;
    const events = await this.o.logs.query({
      functionName,
      logStreams: [q.logStreamName],
      limit: q.limit ?? MAX_EVENTS,
      ...(afterId === undefined ? {} : { afterId }),
      ...(q.startTime === undefined ? {} : { startTime: q.startTime }),
      ...(q.endTime === undefined ? {} : { endTime: q.endTime }),
    });
    const last = events.at(-1)?.id ?? afterId ?? 0;
    const first = events[0]?.id ?? afterId ?? 0;
    return {
      events: events.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.timestamp })),
      nextForwardToken: `f/${encodeToken(last)}`,
      nextBackwardToken: `b/${encodeToken(Math.max(0, first - 1))}`,
    };
  }

  async #groups(q: z.infer<typeof DescribeLogGroups>) {
    const functions = await this.o.registry.list(undefined, 100_000);
    const { region, accountId } = this.o.scope;
    const groups = functions
      .map((f) => ({
        name: f.latest.loggingConfig.logGroup ?? defaultLogGroup(f.name),
        createdAt: f.createdAt,
      }))
      .filter((g) => !q.logGroupNamePrefix || g.name.startsWith(q.logGroupNamePrefix))
      .filter((g) => !q.logGroupNamePattern || g.name.includes(q.logGroupNamePattern))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const start = q.nextToken ? Number(decodeToken(q.nextToken)) : 0;
    const limit = q.limit ?? 50;
    const page = groups.slice(start, start + limit);
    return {
      logGroups: page.map((g) => ({
        logGroupName: g.name,
        creationTime: g.createdAt,
        metricFilterCount: 0,
        arn: `arn:aws:logs:${region}:${accountId}:log-group:${g.name}:*`,
        logGroupArn: `arn:aws:logs:${region}:${accountId}:log-group:${g.name}`,
        storedBytes: 0,
        logGroupClass: 'STANDARD',
      })),
      ...(start + limit < groups.length ? { nextToken: encodeToken(start + limit) } : {}),
    };
  }

  async #streams(q: z.infer<typeof DescribeLogStreams>) {
    const functionName = await this.#functionOf(q);
    const { region, accountId } = this.o.scope;
    const group = q.logGroupName ?? defaultLogGroup(functionName);
    let streams = (await this.o.logs.streams(functionName)).filter(
      (s) => !q.logStreamNamePrefix || s.logStream.startsWith(q.logStreamNamePrefix),
    );
    if (q.orderBy !== 'LastEventTime') streams = streams.sort((a, b) => (a.logStream < b.logStream ? -1 : 1));
    else streams = streams.sort((a, b) => a.lastEventTimestamp - b.lastEventTimestamp);
    if (q.descending) streams.reverse();
    const start = q.nextToken ? Number(decodeToken(q.nextToken)) : 0;
    const limit = q.limit ?? 50;
    return {
      logStreams: streams.slice(start, start + limit).map((s) => ({
        logStreamName: s.logStream,
        creationTime: s.firstEventTimestamp,
        firstEventTimestamp: s.firstEventTimestamp,
        lastEventTimestamp: s.lastEventTimestamp,
        lastIngestionTime: s.lastEventTimestamp,
        uploadSequenceToken: '0',
        arn: `arn:aws:logs:${region}:${accountId}:log-group:${group}:log-stream:${s.logStream}`,
        storedBytes: s.storedBytes,
      })),
      ...(start + limit < streams.length ? { nextToken: encodeToken(start + limit) } : {}),
    };
  }
}

function encodeToken(n: number): string {
  return Buffer.from(`nimbus:${n}`).toString('base64url');
}

function decodeToken(token: string): number {
  const m = /^nimbus:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) throw new LogsError('InvalidParameterException', 'The specified nextToken is invalid.');
  return Number(m[1]);
}
