import { once } from 'node:events';
import { SYNC_PAYLOAD_MAX_BYTES } from '../../domain/limits.js';
import type { HttpExchange } from '../../gateway/exchange.js';
import type { RestRouter } from '../../gateway/rest-router.js';
import type { InvokeResponse, InvokeService } from '../../invoke/invoke-service.js';
import type { Logger } from '../../observability/logger.js';
import type { StreamedResponse } from '../../sandbox/streamed-response.js';
import { encodeEvent } from './event-stream.js';
import { decodeClientContext, enumHeader, header, jsonPayload, logTypeHeader } from './invoke-routes.js';
import { functionRef, type LambdaRoute } from './lambda-call.js';

const INVOCATION_TYPES = ['RequestResponse', 'DryRun'] as const;

export interface StreamInvokeRoutesDeps {
  invoke: InvokeService;
  log: Logger;
}

/**
 * InvokeWithResponseStream (`POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations`,
 * lambda-reference §2.6): the function's stream goes out as `PayloadChunk` events while it runs,
 * then one `InvokeComplete` with the error (if any) and the log tail. A function that does not
 * stream sends its whole response as one chunk.
 */
export function addStreamInvokeRoutes(router: RestRouter<LambdaRoute>, d: StreamInvokeRoutesDeps): void {
  router.add('POST', '/2021-11-15/functions/{FunctionName}/response-streaming-invocations', {
    operation: 'InvokeWithResponseStream',
    maxBodyBytes: SYNC_PAYLOAD_MAX_BYTES,
    handler: async (call) => {
      const type = enumHeader(
        call,
        'x-amz-invocation-type',
        'invocationType',
        INVOCATION_TYPES,
        'RequestResponse',
      );
      const logType = logTypeHeader(call);
      const ref = functionRef(call);
      const resolved = await d.invoke.check(ref);
      if (type === 'DryRun') return { status: 204 };
      const payload = jsonPayload(call.body);
      const clientContext = decodeClientContext(header(call, 'x-amz-client-context'));
      let onStream!: (s: StreamedResponse) => void;
      const started = new Promise<StreamedResponse>((ok) => {
        onStream = ok;
      });
      const done = d.invoke.invoke({
        ref,
        payload,
        requestId: call.x.requestId,
        invocationType: 'RequestResponse',
        ...(clientContext ? { clientContext } : {}),
        onStream,
      });
      // Throttles and missing functions fail before anything is sent, as plain Lambda errors.
      const first = await Promise.race([
        started.then((stream) => ({ stream })),
        done.then((result) => ({ result })),
      ]);
      const contentType =
        'stream' in first ? first.stream.contentType : (first.result.contentType ?? 'application/json');
      return {
        status: 200,
        stream: async (x) => {
          x.res.writeHead(200, {
            'x-amzn-requestid': x.requestId,
            'x-amz-executed-version': resolved.executedVersion,
            'content-type': contentType,
          });
          let result: InvokeResponse | undefined;
          if ('stream' in first) {
            await relayChunks(x, first.stream);
            result = await done.catch((err: unknown) => {
              d.log.warn({ err, requestId: x.requestId }, 'streamed invoke failed after it started');
              return undefined;
            });
          } else {
            result = first.result;
            if (!result.functionError && result.payload.length) {
              await write(x, encodeEvent('PayloadChunk', 'application/octet-stream', result.payload));
            }
          }
          await write(
            x,
            encodeEvent('InvokeComplete', 'application/json', completion(result, logType === 'Tail')),
          );
          x.res.end();
        },
      };
    },
  });
}

async function relayChunks(x: HttpExchange, stream: StreamedResponse): Promise<void> {
  try {
    for await (const chunk of stream.body) {
      if (x.res.destroyed) break;
      await write(x, encodeEvent('PayloadChunk', 'application/octet-stream', chunk as Buffer));
    }
  } catch {
    // Cut short by a timeout or crash: InvokeComplete reports it.
  }
  // The caller went away: let the function finish (the relay drains what it still sends).
  if (!stream.body.readableEnded) stream.body.destroy();
}

async function write(x: HttpExchange, bytes: Buffer): Promise<void> {
  if (x.res.destroyed) return;
  if (!x.res.write(bytes)) await Promise.race([once(x.res, 'drain'), once(x.res, 'close')]);
}

/** `InvokeComplete{ErrorCode, ErrorDetails, LogResult}`. */
function completion(result: InvokeResponse | undefined, tail: boolean): Buffer {
  if (!result)
    return Buffer.from(
      JSON.stringify({ ErrorCode: 'ServiceException', ErrorDetails: 'The invocation failed.' }),
    );
  const out: Record<string, string> = {};
  if (result.functionError) {
    out.ErrorCode = result.errorType ?? 'Unhandled';
    out.ErrorDetails = errorMessage(result.payload);
  }
  if (tail) out.LogResult = result.logResult();
  return Buffer.from(JSON.stringify(out));
}

function errorMessage(payload: Buffer): string {
  try {
    const v = JSON.parse(payload.toString('utf8')) as { errorMessage?: unknown };
    if (typeof v.errorMessage === 'string') return v.errorMessage;
  } catch {
    // not JSON: pass it on as text
  }
  return payload.toString('utf8');
}
