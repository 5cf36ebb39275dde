/**
 * The `context` object handed to handlers (lambda-reference §5.1), from the environment and the
 * `GET next` headers. Property order follows RIC so `JSON.stringify(context)` looks the same.
 */
import type { RuntimeConfig } from './config.js';
import { dateNow, jsonParse } from './intrinsics.js';
import { INVOKE_HEADERS } from './protocol.js';
import type { Invocation } from './runtime-client.js';

function header(invocation: Invocation, name: string): string | undefined {
  const value = invocation.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJsonHeader(value: string | undefined, what: string): unknown {
  if (value === undefined) return undefined;
  try {
    return jsonParse(value);
  } catch (error) {
    throw new Error(`Cannot parse ${what} as json: ${String(error)}`);
  }
}

/** Copies the trace header into `_X_AMZN_TRACE_ID` for X-Ray SDKs, or clears a stale one. */
export function forwardTraceId(invocation: Invocation): void {
  const traceId = header(invocation, INVOKE_HEADERS.traceId);
  if (traceId) process.env._X_AMZN_TRACE_ID = traceId;
  else delete process.env._X_AMZN_TRACE_ID;
}

export function tenantIdOf(invocation: Invocation): string | undefined {
  return header(invocation, INVOKE_HEADERS.tenantId);
}

/**
 * Fills `base` (the completion part of the context: `callbackWaitsForEmptyEventLoop`, `done`...
 * on callback-capable runtimes, empty otherwise) with the invocation data. Throws when a JSON
 * header cannot be parsed; the caller reports that as the invoke's error.
 */
export function buildContext<T extends object>(
  base: T,
  config: RuntimeConfig,
  invocation: Invocation,
): T & Record<string, unknown> {
  const deadlineMs = Number(header(invocation, INVOKE_HEADERS.deadlineMs));
  const data: Record<string, unknown> = {
    functionVersion: config.functionVersion,
    functionName: config.functionName,
    memoryLimitInMB: config.memorySize,
    logGroupName: config.logGroupName,
    logStreamName: config.logStreamName,
    clientContext: parseJsonHeader(header(invocation, INVOKE_HEADERS.clientContext), 'ClientContext'),
    identity: parseJsonHeader(header(invocation, INVOKE_HEADERS.cognitoIdentity), 'CognitoIdentity'),
    invokedFunctionArn: header(invocation, INVOKE_HEADERS.invokedFunctionArn),
    awsRequestId: invocation.requestId,
    tenantId: tenantIdOf(invocation),
  };
  if (!config.callbackHandlers) data.xRayTraceId = header(invocation, INVOKE_HEADERS.traceId);
  data.getRemainingTimeInMillis = () => deadlineMs - dateNow();
  return Object.assign(base, data);
}
