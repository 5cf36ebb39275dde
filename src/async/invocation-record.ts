import { type AsyncCondition, INVOCATION_RECORD_VERSION } from '../domain/async-invoke.js';
import type { AsyncResponse } from '../store/ports.js';

export interface InvocationRecordInput {
  /** Epoch ms when processing ended. */
  timestamp: number;
  requestId: string;
  /** Always qualified (`...:function:name:$LATEST`). */
  functionArn: string;
  condition: AsyncCondition;
  approximateInvokeCount: number;
  requestPayload: Buffer;
  /** The last attempt's answer; absent when the function never answered. */
  response?: AsyncResponse;
  /** The version that ran, when one did. */
  executedVersion?: string;
}

/**
 * The invocation record Lambda hands to OnSuccess/OnFailure destinations (lambda-reference §3),
 * with its members in AWS's order. `responseContext.statusCode` is the last attempt's status (200
 * when the function ran, 429 throttled, 5xx platform errors; absent when no attempt was made);
 * `functionError` and `responsePayload` appear only when the function answered (the payload parsed
 * as JSON when it is JSON, as AWS embeds it).
 */
export function invocationRecord(r: InvocationRecordInput): Buffer {
  const response = r.response;
  const record = {
    version: INVOCATION_RECORD_VERSION,
    timestamp: new Date(r.timestamp).toISOString(),
    requestContext: {
      requestId: r.requestId,
      functionArn: r.functionArn,
      condition: r.condition,
      approximateInvokeCount: r.approximateInvokeCount,
    },
    requestPayload: parseOrText(r.requestPayload),
    responseContext: {
      ...(response ? { statusCode: response.statusCode } : {}),
      ...(r.executedVersion ? { executedVersion: r.executedVersion } : {}),
      ...(response?.functionError ? { functionError: response.functionError } : {}),
    },
    ...(response?.payload === undefined ? {} : { responsePayload: parseOrText(response.payload) }),
  };
  return Buffer.from(JSON.stringify(record));
}

function parseOrText(bytes: Buffer): unknown {
  const text = bytes.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
