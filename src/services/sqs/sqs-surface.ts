import type { IncomingMessage } from 'node:http';
import {
  BodyTooLargeError,
  type HttpExchange,
  readRequestBody,
  type Surface,
} from '../../gateway/exchange.js';
import type { SigV4Authenticator } from '../../gateway/sigv4-auth.js';
import type { Logger } from '../../observability/logger.js';
import { QUEUE_PATH } from '../../queues/queue-names.js';
import type { QueueService } from '../../queues/queue-service.js';
import { isSqsError, SqsError } from '../../queues/sqs-errors.js';
import { SQS_REQUEST_MAX_BYTES } from '../../queues/sqs-limits.js';
import {
  type EncodedSqsError,
  encodeJsonError,
  encodeQueryError,
  internalSqsError,
} from './error-encoding.js';
import { OPERATIONS, type SqsResult } from './operations.js';
import { queryToInput, resultToXml } from './query-protocol.js';

const TARGET_PREFIX = 'AmazonSQS.';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';

/** The SigV4 credential scope's service (`.../us-east-1/sqs/aws4_request`), from header or query. */
function signedService(x: HttpExchange): string | undefined {
  const auth = x.req.headers.authorization;
  const credential =
    (typeof auth === 'string' ? /Credential=([^,\s]+)/.exec(auth)?.[1] : undefined) ??
    x.query.get('X-Amz-Credential') ??
    undefined;
  return credential?.split('/')[3];
}

const isForm = (req: IncomingMessage) =>
  (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');

/**
 * The SQS API on the shared port, in both of SQS's protocols: JSON (`X-Amz-Target:
 * AmazonSQS.<Op>`, what SDK v3 sends) and query (`Action=<Op>` form posts with XML answers, what
 * AWS CLI 2.9 sends). It claims requests by target header, by SigV4 service `sqs`, or by queue URL
 * path `/<account>/<queue>`, and never Lambda's dated paths, `/nimbus/` or `/healthz`.
 */
export class SqsSurface implements Surface {
  readonly name = 'sqs';

  constructor(
    private readonly queues: QueueService,
    private readonly log: Logger,
    private readonly auth: SigV4Authenticator,
  ) {}

  matches(x: HttpExchange): boolean {
    const target = x.req.headers['x-amz-target'];
    if (typeof target === 'string') return target.startsWith(TARGET_PREFIX);
    if (x.path === '/healthz' || x.path.startsWith('/nimbus/') || /^\/20\d\d-\d\d-\d\d\//.test(x.path))
      return false;
    // A request signed for another service (s3, lambda, ...) is never ours, whatever its path.
    const service = signedService(x);
    if (service !== undefined) return service === 'sqs';
    if (QUEUE_PATH.test(x.path)) return true;
    return x.path === '/' && (x.query.has('Action') || (x.method === 'POST' && isForm(x.req)));
  }

  async handle(x: HttpExchange): Promise<void> {
    const target = x.req.headers['x-amz-target'];
    const json = typeof target === 'string';
    const abort = new AbortController();
    x.res.on('close', () => abort.abort());
    let action = json ? target.slice(TARGET_PREFIX.length) : (x.query.get('Action') ?? '');
    try {
      const request = await this.#decode(x, json ? action : undefined);
      action = request.action;
      const operation = Object.hasOwn(OPERATIONS, action) ? OPERATIONS[action] : undefined;
      if (!operation) {
        throw new SqsError(
          'InvalidAction',
          action
            ? `The action ${action} is not valid for this endpoint.`
            : 'The request must contain the parameter Action.',
        );
      }
      const result = await operation(request.input, {
        queues: this.queues,
        baseUrl: `http://${x.req.headers.host ?? '127.0.0.1'}`,
        signal: abort.signal,
      });
      if (json) this.#send(x, 200, { 'content-type': JSON_CONTENT_TYPE }, JSON.stringify(result ?? {}));
      else
        this.#send(
          x,
          200,
          { 'content-type': 'text/xml' },
          resultToXml(action, result as SqsResult, x.requestId),
        );
    } catch (e) {
      this.#fail(x, e, json, action);
    }
  }

  /** The operation and its input in the JSON protocol's shape, whichever protocol was used. */
  async #decode(
    x: HttpExchange,
    jsonAction: string | undefined,
  ): Promise<{ action: string; input: Record<string, unknown> }> {
    const body = await this.#body(x);
    const verdict = await this.auth.verify(x, body);
    if (!verdict.ok) {
      const code =
        verdict.failure === 'missing'
          ? 'MissingAuthenticationToken'
          : verdict.failure === 'unknown-key'
            ? 'InvalidClientTokenId'
            : 'SignatureDoesNotMatch';
      throw new SqsError(code, verdict.message);
    }
    if (jsonAction !== undefined) return { action: jsonAction, input: parseJson(body) };
    const params = new URLSearchParams(x.query);
    if (body.length && isForm(x.req))
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.append(k, v);
    const action = params.get('Action') ?? '';
    const input = queryToInput(action, params);
    // Older clients post to the queue URL itself instead of passing QueueUrl.
    if (input.QueueUrl === undefined && QUEUE_PATH.test(x.path)) input.QueueUrl = x.path;
    return { action, input };
  }

  #fail(x: HttpExchange, e: unknown, json: boolean, action: string): void {
    let error: SqsError;
    if (isSqsError(e)) error = e;
    else {
      this.log.error({ err: e, action, requestId: x.requestId }, 'unexpected error in SQS API');
      error = internalSqsError();
    }
    const encoded: EncodedSqsError = json ? encodeJsonError(error) : encodeQueryError(error, x.requestId);
    this.#send(x, encoded.status, encoded.headers, encoded.body);
  }

  async #body(x: HttpExchange): Promise<Buffer> {
    try {
      return await readRequestBody(x.req, SQS_REQUEST_MAX_BYTES);
    } catch (e) {
      if (e instanceof BodyTooLargeError) {
        throw new SqsError(
          'InvalidParameterValue',
          `The request must be smaller than ${SQS_REQUEST_MAX_BYTES} bytes.`,
        );
      }
      throw e;
    }
  }

  #send(x: HttpExchange, status: number, headers: Record<string, string>, body: string): void {
    if (x.res.headersSent || x.res.destroyed) return;
    x.res.writeHead(status, {
      'x-amzn-requestid': x.requestId,
      'content-length': Buffer.byteLength(body),
      ...headers,
    });
    x.res.end(body);
  }
}

function parseJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new SqsError('InvalidParameterValue', 'The request body is not valid JSON.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SqsError('InvalidParameterValue', 'The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}
