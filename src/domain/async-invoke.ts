import { z } from 'zod';

/**
 * Asynchronous invocation: the per-qualifier EventInvokeConfig, its bounds and defaults, and the
 * retry timings Lambda documents (lambda-reference §3, §8; the AWS developer guide's
 * "Asynchronous invocation" page).
 */

/** `MaximumRetryAttempts`: retries after a function error (0..2, default 2). */
export const ASYNC_RETRY_ATTEMPTS_MAX = 2;
export const ASYNC_RETRY_ATTEMPTS_DEFAULT = 2;

/** `MaximumEventAgeInSeconds`: how long an event may wait (60..21600 s, default 6 h). */
export const ASYNC_EVENT_AGE_MIN_SECONDS = 60;
export const ASYNC_EVENT_AGE_MAX_SECONDS = 21_600;
export const ASYNC_EVENT_AGE_DEFAULT_SECONDS = 21_600;

/** Wait before retry n after a function error: "one minute ... then two minutes". */
export const ASYNC_RETRY_DELAY_STEP_SECONDS = 60;

/** Throttles and platform errors back off exponentially "from 1 second ... to a maximum of 5 minutes". */
export const ASYNC_BACKOFF_MIN_SECONDS = 1;
export const ASYNC_BACKOFF_MAX_SECONDS = 300;

/** Page size cap of ListFunctionEventInvokeConfigs. */
export const EVENT_INVOKE_CONFIG_LIST_MAX = 50;

/** The invocation record's `version`. */
export const INVOCATION_RECORD_VERSION = '1.0';

export const EventInvokeConfigSchema = z.object({
  functionName: z.string(),
  /** `$LATEST`, a version number or an alias name. */
  qualifier: z.string(),
  /** Absent members are absent on the wire too (Put replaces the whole configuration). */
  maximumRetryAttempts: z.number().int().optional(),
  maximumEventAgeInSeconds: z.number().int().optional(),
  onSuccess: z.string().optional(),
  onFailure: z.string().optional(),
  /** Epoch milliseconds. */
  lastModified: z.number(),
});
export type EventInvokeConfig = z.infer<typeof EventInvokeConfigSchema>;

/** What the dispatcher applies to an event: the configuration with defaults filled in. */
export interface EffectiveEventInvokeConfig {
  maximumRetryAttempts: number;
  maximumEventAgeInSeconds: number;
  onSuccess?: string;
  onFailure?: string;
}

export function effectiveConfig(c: EventInvokeConfig | undefined): EffectiveEventInvokeConfig {
  return {
    maximumRetryAttempts: c?.maximumRetryAttempts ?? ASYNC_RETRY_ATTEMPTS_DEFAULT,
    maximumEventAgeInSeconds: c?.maximumEventAgeInSeconds ?? ASYNC_EVENT_AGE_DEFAULT_SECONDS,
    ...(c?.onSuccess ? { onSuccess: c.onSuccess } : {}),
    ...(c?.onFailure ? { onFailure: c.onFailure } : {}),
  };
}

/** Why an event's processing ended, as the invocation record's `requestContext.condition` says it. */
export type AsyncCondition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';

/**
 * Where an accepted event is. `queued` (never attempted) and `retrying` (waiting for its next
 * attempt) are both waiting; `failed` keeps the payload for inspection and replay.
 */
export const ASYNC_EVENT_STATES = ['queued', 'in-flight', 'retrying', 'failed', 'succeeded'] as const;
export type AsyncEventState = (typeof ASYNC_EVENT_STATES)[number];
