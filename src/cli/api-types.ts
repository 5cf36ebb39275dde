import { z } from 'zod';

/**
 * The response shapes the CLI reads, from the Lambda REST JSON API and from `/nimbus/v1`. They list
 * only the members the CLI uses and allow any others (`looseObject`), so a newer server with more
 * fields still works. The schemas have no defaults or transforms: a value that passes is returned
 * as received, which is what `--json` prints.
 */

export const FunctionConfiguration = z.looseObject({
  FunctionName: z.string(),
  FunctionArn: z.string(),
  Runtime: z.string().optional(),
  Handler: z.string().optional(),
  Role: z.string().optional(),
  CodeSize: z.number(),
  CodeSha256: z.string(),
  Description: z.string().optional(),
  Timeout: z.number(),
  MemorySize: z.number(),
  LastModified: z.string(),
  RevisionId: z.string().optional(),
  Architectures: z.array(z.string()).optional(),
  Environment: z.looseObject({ Variables: z.record(z.string(), z.string()).optional() }).optional(),
  State: z.string().optional(),
  StateReason: z.string().optional(),
  LastUpdateStatus: z.string().optional(),
  LastUpdateStatusReason: z.string().optional(),
});
export type FunctionConfiguration = z.infer<typeof FunctionConfiguration>;

export const GetFunctionResponse = z.looseObject({
  Configuration: FunctionConfiguration,
  Code: z.looseObject({ Location: z.string().optional() }).optional(),
  Tags: z.record(z.string(), z.string()).optional(),
});
export type GetFunctionResponse = z.infer<typeof GetFunctionResponse>;

export const ListFunctionsResponse = z.looseObject({
  Functions: z.array(FunctionConfiguration),
  NextMarker: z.string().nullish(),
});
export type ListFunctionsResponse = z.infer<typeof ListFunctionsResponse>;

/** What CreateFunction needs from the CLI (a subset of the Lambda request). */
export interface CreateFunctionRequest {
  FunctionName: string;
  Runtime: string;
  Handler: string;
  Role: string;
  Code: { ZipFile: string };
  Description?: string;
  Timeout?: number;
  MemorySize?: number;
  Environment?: { Variables: Record<string, string> };
}

export interface UpdateFunctionConfigurationRequest {
  Runtime?: string;
  Handler?: string;
  Description?: string;
  Timeout?: number;
  MemorySize?: number;
  Environment?: { Variables: Record<string, string> };
  RevisionId?: string;
}

export interface UpdateFunctionCodeRequest {
  ZipFile: string;
  RevisionId?: string;
}

/** The result of a synchronous Invoke: the payload is the raw HTTP body. */
export interface InvokeResponse {
  statusCode: number;
  payload: Buffer;
  /** `X-Amz-Function-Error` (`Unhandled`) when the function failed. */
  functionError?: string;
  /** `X-Amz-Log-Result`, base64-decoded: the last 4 KB of the invocation's log. */
  logTail?: string;
  executedVersion?: string;
  requestId?: string;
}

export const LogEvent = z.looseObject({
  id: z.number(),
  timestamp: z.number(),
  message: z.string(),
  requestId: z.string().optional(),
  logStream: z.string(),
});
export type LogEvent = z.infer<typeof LogEvent>;

export const LogsResponse = z.looseObject({ events: z.array(LogEvent), nextAfterId: z.number() });
export type LogsResponse = z.infer<typeof LogsResponse>;

export interface LogsQuery {
  startTime?: number;
  requestId?: string;
  filter?: string;
  afterId?: number;
  limit?: number;
}

export const UsageRow = z.looseObject({
  functionName: z.string(),
  /** Start of the period, epoch ms (UTC buckets); absent when grouped by `all`. */
  period: z.number().optional(),
  architecture: z.string(),
  requests: z.number(),
  errors: z.number(),
  coldStarts: z.number(),
  durationMs: z.number(),
  billedMs: z.number(),
  gbSeconds: z.number(),
  cost: z.number(),
});
export type UsageRow = z.infer<typeof UsageRow>;

export const UsageResponse = z.looseObject({
  rows: z.array(UsageRow),
  total: z.looseObject({
    requests: z.number(),
    errors: z.number(),
    gbSeconds: z.number(),
    cost: z.number(),
  }),
  prices: z.looseObject({
    perRequest: z.number(),
    perGbSecondX86: z.number(),
    perGbSecondArm: z.number(),
  }),
  currency: z.string(),
});
export type UsageResponse = z.infer<typeof UsageResponse>;

export type UsageGrouping = 'all' | 'day' | 'hour';

export interface UsageQuery {
  since?: number;
  by?: UsageGrouping;
  function?: string;
}

const SandboxStats = z.looseObject({
  sandboxes: z.number(),
  idle: z.number(),
  busy: z.number(),
  starting: z.number(),
  // Counters and provisioning (older servers do not send them).
  waiting: z.number().optional(),
  provisioned: z.number().optional(),
  provisionedTarget: z.number().optional(),
  invocations: z.number().optional(),
  coldStarts: z.number().optional(),
  coldStartMsAvg: z.number().optional(),
  coldStartMsMax: z.number().optional(),
  warmStarts: z.number().optional(),
});
export type SandboxStats = z.infer<typeof SandboxStats>;

export const ServerStatus = z.looseObject({
  version: z.string(),
  isolation: z.string(),
  sandboxing: z
    .looseObject({
      isolation: z.string(),
      limits: z.string(),
      prestart: z.number(),
      keepAlive: z.string(),
    })
    .optional(),
  functions: z.number(),
  concurrency: z.looseObject({
    limit: z.number(),
    inFlight: z.number(),
    unreserved: z.number().optional(),
    throttles: z.number().optional(),
  }),
  sandboxes: SandboxStats.extend({
    executor: z
      .looseObject({
        zygotes: z.number(),
        zygotesReady: z.number(),
        zygoteStarts: z.number(),
        freshStarts: z.number(),
      })
      .optional(),
  }),
});
export type ServerStatus = z.infer<typeof ServerStatus>;

export const FunctionStatus = z.looseObject({
  functionName: z.string(),
  inFlight: z.number(),
  throttles: z.number().optional(),
  reservedConcurrency: z.number().optional(),
  sandboxes: SandboxStats.extend({
    keepAlive: z.looseObject({ ms: z.number(), basis: z.string(), samples: z.number() }).optional(),
  }),
});
export type FunctionStatus = z.infer<typeof FunctionStatus>;

export const FunctionVersion = FunctionConfiguration.extend({ Version: z.string() });
export type FunctionVersion = z.infer<typeof FunctionVersion>;

export const ListVersionsResponse = z.looseObject({
  Versions: z.array(FunctionVersion),
  NextMarker: z.string().nullish(),
});

export const AliasConfiguration = z.looseObject({
  AliasArn: z.string(),
  Name: z.string(),
  FunctionVersion: z.string(),
  Description: z.string().optional(),
  RoutingConfig: z
    .looseObject({ AdditionalVersionWeights: z.record(z.string(), z.number()).optional() })
    .optional(),
  RevisionId: z.string().optional(),
});
export type AliasConfiguration = z.infer<typeof AliasConfiguration>;

export const ListAliasesResponse = z.looseObject({
  Aliases: z.array(AliasConfiguration),
  NextMarker: z.string().nullish(),
});

export interface AliasRequest {
  FunctionVersion?: string;
  Description?: string;
  RoutingConfig?: { AdditionalVersionWeights: Record<string, number> };
}

/** `GET /nimbus/v1/functions/{name}/build`. */
export const BuildStatus = z.looseObject({
  state: z.string(),
  stateReason: z.string().optional(),
  lastUpdateStatus: z.string(),
  lastUpdateStatusReason: z.string().optional(),
  building: z.boolean(),
  log: z.array(z.looseObject({ id: z.number(), message: z.string() })),
  nextAfterId: z.number(),
});
export type BuildStatus = z.infer<typeof BuildStatus>;

/** One asynchronous event as `/nimbus/v1/functions/{name}/events` lists it (times in epoch ms). */
export const AsyncEvent = z.looseObject({
  requestId: z.string(),
  state: z.string(),
  attempts: z.number(),
  backoffs: z.number(),
  enqueuedAt: z.number(),
  nextAttemptAt: z.number().optional(),
  endedAt: z.number().optional(),
  condition: z.string().optional(),
  lastError: z.string().optional(),
});
export type AsyncEvent = z.infer<typeof AsyncEvent>;

export const AsyncEventsResponse = z.looseObject({
  events: z.array(AsyncEvent),
  counts: z.record(z.string(), z.number()),
  nextAfter: z.number().optional(),
});
export type AsyncEventsResponse = z.infer<typeof AsyncEventsResponse>;

export interface AsyncEventsQuery {
  /** Comma-separated states. */
  state?: string;
  after?: number;
  limit?: number;
}

export const ReplayResponse = z.looseObject({
  replayed: z.array(z.string()),
  notReplayed: z.array(z.string()),
});
export type ReplayResponse = z.infer<typeof ReplayResponse>;
