import type { EventInvoker } from '../../async/ports.js';
import { invalidContent, invalidParameter, LambdaError, validationError } from '../../domain/errors.js';
import {
  ASYNC_PAYLOAD_MAX_BYTES,
  CLIENT_CONTEXT_MAX_BYTES,
  SYNC_PAYLOAD_MAX_BYTES,
} from '../../domain/limits.js';
import type { RestRouter } from '../../gateway/rest-router.js';
import type { InvokeService } from '../../invoke/invoke-service.js';
import { functionRef, type LambdaCall, type LambdaRoute } from './lambda-call.js';

const INVOCATION_TYPES = ['Event', 'RequestResponse', 'DryRun'] as const;
type InvocationType = (typeof INVOCATION_TYPES)[number];

export interface InvokeRoutesDeps {
  invoke: InvokeService;
  /** Asynchronous invocation, when the feature is installed (read per request). */
  events?: () => EventInvoker | undefined;
}

/** Invoke (`POST /2015-03-31/functions/{FunctionName}/invocations`). */
export function addInvokeRoutes(router: RestRouter<LambdaRoute>, d: InvokeRoutesDeps): void {
  router.add('POST', '/2015-03-31/functions/{FunctionName}/invocations', {
    operation: 'InvokeFunction',
    maxBodyBytes: SYNC_PAYLOAD_MAX_BYTES,
    handler: async (call) => {
      const type = invocationType(call);
      const logType = logTypeHeader(call);
      const ref = functionRef(call);
      if (type === 'DryRun') {
        await d.invoke.check(ref);
        return { status: 204 };
      }
      if (type === 'Event') {
        const events = d.events?.();
        if (!events) {
          throw invalidParameter(
            'Asynchronous invocation (InvocationType Event) is not available in this Nimbus version yet.',
          );
        }
        // 202 only once the event is committed: nothing acknowledged is lost (lambda-reference §3).
        const traceId = header(call, 'x-amzn-trace-id');
        await events.invokeAsync({
          ref,
          payload: asyncPayload(call.body, 'InvokeFunction'),
          requestId: call.x.requestId,
          ...(traceId ? { traceId } : {}),
        });
        return { status: 202 };
      }
      const payload = jsonPayload(call.body);
      const clientContext = decodeClientContext(header(call, 'x-amz-client-context'));
      const traceId = header(call, 'x-amzn-trace-id');
      const r = await d.invoke.invoke({
        ref,
        payload,
        requestId: call.x.requestId,
        invocationType: 'RequestResponse',
        ...(clientContext ? { clientContext } : {}),
        ...(traceId ? { traceId } : {}),
      });
      const headers: Record<string, string> = {
        'x-amz-executed-version': r.executedVersion,
        'content-type': 'application/json',
      };
      if (r.functionError) headers['x-amz-function-error'] = r.functionError;
      if (logType === 'Tail') headers['x-amz-log-result'] = r.logResult();
      return { status: 200, raw: r.payload, headers };
    },
  });
}

export function header(call: LambdaCall, name: string): string | undefined {
  const v = call.x.req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A header whose value is one of `allowed` (`fallback` when absent), else AWS's validation error. */
export function enumHeader<T extends string>(
  call: LambdaCall,
  name: string,
  member: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const raw = header(call, name) ?? fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw validationError([
    { member, value: raw, constraint: `Member must satisfy enum value set: [${allowed.join(', ')}]` },
  ]);
}

/** `X-Amz-Log-Type`: None (default) or Tail. */
export function logTypeHeader(call: LambdaCall): 'None' | 'Tail' {
  return enumHeader(call, 'x-amz-log-type', 'logType', ['None', 'Tail'], 'None');
}

function invocationType(call: LambdaCall): InvocationType {
  return enumHeader(call, 'x-amz-invocation-type', 'invocationType', INVOCATION_TYPES, 'RequestResponse');
}

/** The event as the function will see it: JSON checked, an empty body meaning `{}`. */
export function jsonPayload(body: Buffer): Buffer {
  if (body.length === 0) return Buffer.from('{}');
  try {
    JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw invalidContent(
      `Could not parse request body into json: Could not parse payload into json: ${(e as Error).message}`,
    );
  }
  return body;
}

/** An asynchronous event: within the async limit (1 MB, lambda-reference §2.4) and JSON. */
export function asyncPayload(body: Buffer, operation: string, limit = ASYNC_PAYLOAD_MAX_BYTES): Buffer {
  if (body.length > limit) {
    throw new LambdaError(
      'RequestEntityTooLargeException',
      `Request must be smaller than ${limit} bytes for the ${operation} operation`,
    );
  }
  return jsonPayload(body);
}

/** `X-Amz-Client-Context` is base64 JSON; the runtime gets the JSON text. */
export function decodeClientContext(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw.length > CLIENT_CONTEXT_MAX_BYTES) {
    throw invalidParameter(`Client context must be smaller than ${CLIENT_CONTEXT_MAX_BYTES} bytes.`);
  }
  const text = Buffer.from(raw, 'base64').toString('utf8');
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object') throw new Error('not an object');
  } catch {
    throw invalidContent('Client context must be a valid Base64-encoded JSON object.');
  }
  return text;
}
