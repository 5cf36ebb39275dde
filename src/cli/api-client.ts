import type { z } from 'zod';
import {
  AliasConfiguration,
  type AliasRequest,
  type AsyncEventsQuery,
  AsyncEventsResponse,
  BuildStatus,
  type CreateFunctionRequest,
  FunctionConfiguration,
  FunctionStatus,
  FunctionVersion,
  GetFunctionResponse,
  type InvokeResponse,
  ListAliasesResponse,
  ListFunctionsResponse,
  ListVersionsResponse,
  type LogsQuery,
  LogsResponse,
  ReplayResponse,
  ServerStatus,
  type UpdateFunctionCodeRequest,
  type UpdateFunctionConfigurationRequest,
  type UsageQuery,
  UsageResponse,
} from './api-types.js';
import { ApiError, CliError } from './errors.js';
import { ANONYMOUS_CREDENTIALS, type SigningCredentials, signRequest } from './request-signer.js';
import { EventSourceMapping, MappingStatusList, type MappingWithStatus } from './trigger-types.js';

/** Where `nimbus serve` listens by default. */
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:9000';

const LAMBDA = '/2015-03-31';
const NIMBUS = '/nimbus/v1';
const USER_AGENT = 'nimbus-cli';

type Query = Record<string, string | number | undefined>;

interface RequestOptions {
  query?: Query;
  /** Serialised as the JSON body. */
  json?: unknown;
  /** Sent as is. */
  body?: Uint8Array;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** SigV4 service to sign for; such requests are always signed (anonymously without credentials). */
  service?: string;
}

/**
 * A typed client for a running Nimbus server: the Lambda REST JSON API (`/2015-03-31/...`) and
 * Nimbus's own API (`/nimbus/v1/...`), over global `fetch`. Error answers become {@link ApiError}
 * (`ResourceNotFoundException: Function not found: arn:...`); an unreachable server becomes a
 * {@link CliError} that says how to start one.
 */
export class NimbusClient {
  /** The server URL without a trailing slash. */
  readonly endpoint: string;
  readonly #fetch: typeof fetch;
  readonly #credentials: SigningCredentials | undefined;

  constructor(endpoint: string, options: { fetch?: typeof fetch; credentials?: SigningCredentials } = {}) {
    this.endpoint = endpoint.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#credentials = options.credentials;
  }

  // --- Lambda API -------------------------------------------------------------------------------

  async getFunction(name: string): Promise<GetFunctionResponse> {
    return this.#json(GetFunctionResponse, 'GET', `${LAMBDA}/functions/${label(name)}`);
  }

  /** GetFunction, or `undefined` when the function does not exist. */
  async findFunction(name: string): Promise<GetFunctionResponse | undefined> {
    try {
      return await this.getFunction(name);
    } catch (e) {
      if (e instanceof ApiError && e.type === 'ResourceNotFoundException') return undefined;
      throw e;
    }
  }

  async listFunctions(marker?: string): Promise<ListFunctionsResponse> {
    return this.#json(ListFunctionsResponse, 'GET', `${LAMBDA}/functions`, { query: { Marker: marker } });
  }

  /** Every function, following `NextMarker` from page to page. */
  async listAllFunctions(): Promise<FunctionConfiguration[]> {
    const all: FunctionConfiguration[] = [];
    const seen = new Set<string>();
    let marker: string | undefined;
    do {
      const page = await this.listFunctions(marker);
      all.push(...page.Functions);
      marker = page.NextMarker ?? undefined;
      if (marker !== undefined && seen.has(marker)) {
        throw new CliError(`ListFunctions returned the same NextMarker twice (${marker}); stopping.`);
      }
      if (marker !== undefined) seen.add(marker);
    } while (marker !== undefined);
    return all;
  }

  async createFunction(request: CreateFunctionRequest): Promise<FunctionConfiguration> {
    return this.#json(FunctionConfiguration, 'POST', `${LAMBDA}/functions`, { json: request });
  }

  async updateFunctionCode(name: string, request: UpdateFunctionCodeRequest): Promise<FunctionConfiguration> {
    return this.#json(FunctionConfiguration, 'PUT', `${LAMBDA}/functions/${label(name)}/code`, {
      json: request,
    });
  }

  async updateFunctionConfiguration(
    name: string,
    request: UpdateFunctionConfigurationRequest,
  ): Promise<FunctionConfiguration> {
    return this.#json(FunctionConfiguration, 'PUT', `${LAMBDA}/functions/${label(name)}/configuration`, {
      json: request,
    });
  }

  async deleteFunction(name: string): Promise<void> {
    await this.#send('DELETE', `${LAMBDA}/functions/${label(name)}`);
  }

  /** A synchronous (RequestResponse) invoke; `payload` undefined sends an empty body (`{}`). */
  async invoke(
    name: string,
    payload: Uint8Array | undefined,
    options: { logTail?: boolean; qualifier?: string } = {},
  ): Promise<InvokeResponse> {
    const headers: Record<string, string> = { 'x-amz-invocation-type': 'RequestResponse' };
    if (options.logTail) headers['x-amz-log-type'] = 'Tail';
    const res = await this.#send('POST', `${LAMBDA}/functions/${label(name)}/invocations`, {
      query: { Qualifier: options.qualifier },
      headers,
      ...(payload === undefined ? {} : { body: payload }),
    });
    const logResult = res.headers.get('x-amz-log-result');
    return {
      statusCode: res.status,
      payload: Buffer.from(await res.arrayBuffer()),
      ...optional('functionError', res.headers.get('x-amz-function-error')),
      ...optional('logTail', logResult === null ? null : Buffer.from(logResult, 'base64').toString('utf8')),
      ...optional('executedVersion', res.headers.get('x-amz-executed-version')),
      ...optional('requestId', res.headers.get('x-amzn-requestid')),
    };
  }

  async publishVersion(name: string, description?: string): Promise<FunctionVersion> {
    return this.#json(FunctionVersion, 'POST', `${LAMBDA}/functions/${label(name)}/versions`, {
      json: description === undefined ? {} : { Description: description },
    });
  }

  /** Every version, `$LATEST` first, following `NextMarker`. */
  async listVersions(name: string): Promise<FunctionVersion[]> {
    const all: FunctionVersion[] = [];
    let marker: string | undefined;
    do {
      const page = await this.#json(
        ListVersionsResponse,
        'GET',
        `${LAMBDA}/functions/${label(name)}/versions`,
        {
          query: { Marker: marker },
        },
      );
      all.push(...page.Versions);
      marker = page.NextMarker ?? undefined;
    } while (marker !== undefined);
    return all;
  }

  /** Creates the alias, or updates it when it exists. */
  async putAlias(name: string, alias: string, request: AliasRequest): Promise<AliasConfiguration> {
    try {
      return await this.#json(
        AliasConfiguration,
        'PUT',
        `${LAMBDA}/functions/${label(name)}/aliases/${label(alias)}`,
        {
          json: request,
        },
      );
    } catch (e) {
      if (!(e instanceof ApiError && e.type === 'ResourceNotFoundException' && /alias/i.test(e.apiMessage)))
        throw e;
    }
    return this.#json(AliasConfiguration, 'POST', `${LAMBDA}/functions/${label(name)}/aliases`, {
      json: { Name: alias, ...request },
    });
  }

  async listAliases(name: string): Promise<AliasConfiguration[]> {
    const all: AliasConfiguration[] = [];
    let marker: string | undefined;
    do {
      const page = await this.#json(
        ListAliasesResponse,
        'GET',
        `${LAMBDA}/functions/${label(name)}/aliases`,
        {
          query: { Marker: marker },
        },
      );
      all.push(...page.Aliases);
      marker = page.NextMarker ?? undefined;
    } while (marker !== undefined);
    return all;
  }

  /**
   * An asynchronous (`Event`) invoke: resolves with the request id once the server has queued the
   * event (HTTP 202).
   */
  async invokeAsync(name: string, payload: Uint8Array | undefined, options: { qualifier?: string } = {}) {
    const res = await this.#send('POST', `${LAMBDA}/functions/${label(name)}/invocations`, {
      query: { Qualifier: options.qualifier },
      headers: { 'x-amz-invocation-type': 'Event' },
      ...(payload === undefined ? {} : { body: payload }),
    });
    await res.arrayBuffer();
    const requestId = res.headers.get('x-amzn-requestid');
    if (res.status !== 202 || !requestId) {
      throw this.#unexpected(
        'POST',
        `${LAMBDA}/functions/${name}/invocations`,
        `HTTP ${res.status} without a request id`,
      );
    }
    return { statusCode: res.status, requestId };
  }

  // --- Nimbus API -------------------------------------------------------------------------------

  async buildStatus(name: string, afterId?: number): Promise<BuildStatus> {
    return this.#json(BuildStatus, 'GET', `${NIMBUS}/functions/${label(name)}/build`, { query: { afterId } });
  }

  async listEvents(name: string, query: AsyncEventsQuery): Promise<AsyncEventsResponse> {
    return this.#json(AsyncEventsResponse, 'GET', `${NIMBUS}/functions/${label(name)}/events`, {
      query: { ...query },
    });
  }

  /** Puts failed events back in the queue: these ids, or every failed one. */
  async replayEvents(
    name: string,
    which: { requestIds: string[] } | { allFailed: true },
  ): Promise<ReplayResponse> {
    return this.#json(ReplayResponse, 'POST', `${NIMBUS}/functions/${label(name)}/events/replay`, {
      json: which,
    });
  }

  async functionLogs(name: string, query: LogsQuery, signal?: AbortSignal): Promise<LogsResponse> {
    return this.#json(LogsResponse, 'GET', `${NIMBUS}/functions/${label(name)}/logs`, {
      query: { ...query },
      ...(signal ? { signal } : {}),
    });
  }

  async functionStatus(name: string): Promise<FunctionStatus> {
    return this.#json(FunctionStatus, 'GET', `${NIMBUS}/functions/${label(name)}/status`);
  }

  async usage(query: UsageQuery): Promise<UsageResponse> {
    return this.#json(UsageResponse, 'GET', `${NIMBUS}/usage`, { query: { ...query } });
  }

  async status(): Promise<ServerStatus> {
    return this.#json(ServerStatus, 'GET', `${NIMBUS}/status`);
  }

  // --- transport --------------------------------------------------------------------------------

  // --- Event source mappings (`nimbus trigger`) --------------------------------------------------

  async createEventSourceMapping(request: Record<string, unknown>): Promise<EventSourceMapping> {
    return this.#json(EventSourceMapping, 'POST', `${LAMBDA}/event-source-mappings`, { json: request });
  }

  async deleteEventSourceMapping(uuid: string): Promise<EventSourceMapping> {
    return this.#json(EventSourceMapping, 'DELETE', `${LAMBDA}/event-source-mappings/${label(uuid)}`);
  }

  /** Mappings with what their running sources report (lag, last error); Nimbus's own view. */
  async eventSourceMappingStatus(functionName?: string): Promise<MappingWithStatus[]> {
    const r = await this.#json(MappingStatusList, 'GET', `${NIMBUS}/event-source-mappings`, {
      query: { FunctionName: functionName },
    });
    return r.EventSourceMappings;
  }

  /** A JSON call to any API of the server (used by the commands of other services). */
  async call<S extends z.ZodType>(
    schema: S,
    method: string,
    path: string,
    options: { query?: Query; json?: unknown; service?: string } = {},
  ): Promise<z.infer<S>> {
    return this.#json(schema, method, path, options);
  }

  /** A call whose answer has no body (204). */
  async callNoContent(method: string, path: string): Promise<void> {
    await this.#send(method, path);
  }

  /** Sends the request and parses a JSON answer; the value is returned as received (see api-types). */
  async #json<S extends z.ZodType>(
    schema: S,
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<z.infer<S>> {
    const res = await this.#send(method, path, options);
    const text = await res.text();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw this.#unexpected(method, path, 'the body is not JSON');
    }
    const checked = schema.safeParse(value);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      throw this.#unexpected(method, path, `${where}${issue?.message ?? 'invalid shape'}`);
    }
    return value as z.infer<S>;
  }

  async #send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const url = new URL(this.endpoint + path);
    for (const [k, v] of Object.entries(options.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = {
      'user-agent': USER_AGENT,
      accept: 'application/json',
      ...options.headers,
    };
    let body: Uint8Array | string | undefined = options.body;
    if (options.json !== undefined) body = JSON.stringify(options.json);
    if (body !== undefined) headers['content-type'] = 'application/json';
    const credentials =
      this.#credentials ?? (options.service !== undefined ? ANONYMOUS_CREDENTIALS : undefined);
    const sent = credentials
      ? await signRequest(credentials, url, method, headers, body, options.service)
      : headers;
    let res: Response;
    try {
      res = await this.#fetch(url, {
        method,
        headers: sent,
        ...(body === undefined ? {} : { body }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (e) {
      if (options.signal?.aborted) throw e;
      throw networkError(e, this.endpoint);
    }
    if (!res.ok) throw await this.#apiError(res, method, path);
    return res;
  }

  async #apiError(res: Response, method: string, path: string): Promise<CliError> {
    const text = await res.text().catch(() => '');
    let body: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        body = parsed as Record<string, unknown>;
      }
    } catch {
      body = undefined;
    }
    // Clients drop anything after ':' in the header and before '#' in `__type` (lambda-reference §1.1).
    const type =
      res.headers.get('x-amzn-errortype')?.split(':')[0] ||
      str(body?.__type)?.split('#').pop() ||
      str(body?.code) ||
      str(body?.Code);
    if (!type && !body) {
      return new CliError(
        `${method} ${path} failed with HTTP ${res.status} ${res.statusText} from ${this.endpoint}, ` +
          'which does not answer like a Nimbus server. Check --endpoint or NIMBUS_ENDPOINT.',
      );
    }
    const message = str(body?.message) ?? str(body?.Message) ?? res.statusText;
    return new ApiError(type || `HTTP ${res.status}`, res.status, message.replace(/\s*\n\s*/g, ' '));
  }

  #unexpected(method: string, path: string, detail: string): CliError {
    return new CliError(
      `unexpected answer to ${method} ${path} from ${this.endpoint} (${detail}). ` +
        'Is the endpoint a Nimbus server of a compatible version?',
    );
  }
}

/** Path labels are percent-encoded (`:` and `$` in ARNs and qualifiers). */
function label(value: string): string {
  return encodeURIComponent(value);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function optional<K extends string>(key: K, value: string | null): { [P in K]?: string } {
  return (value === null ? {} : { [key]: value }) as { [P in K]?: string };
}

/** Turns a failed `fetch` (no HTTP answer at all) into one actionable line. */
export function networkError(e: unknown, endpoint: string): CliError {
  const code = errorCode(e);
  const cause = { cause: e };
  switch (code) {
    case 'ECONNREFUSED':
      return new CliError(
        `the Nimbus server is not running at ${endpoint} (connection refused). ` +
          'Start it with `nimbus serve`, or point the CLI at a running server with --endpoint or NIMBUS_ENDPOINT.',
        cause,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new CliError(
        `cannot resolve the host of ${endpoint} (${code}). Check --endpoint or NIMBUS_ENDPOINT.`,
        cause,
      );
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new CliError(
        `timed out connecting to ${endpoint}. Check that the server is running and reachable from here.`,
        cause,
      );
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new CliError(`${endpoint} accepted the request but did not answer within 300 seconds.`, cause);
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return new CliError(
        `the connection to ${endpoint} closed before the server answered (${code}). Check the server's log.`,
        cause,
      );
    default: {
      const detail = innermostMessage(e);
      return new CliError(`cannot reach the Nimbus server at ${endpoint}: ${detail}`, cause);
    }
  }
}

/** The first `code` in the cause chain (including the members of an AggregateError). */
function errorCode(e: unknown, depth = 0): string | undefined {
  if (depth > 5 || e === null || typeof e !== 'object') return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  if (e instanceof AggregateError) {
    for (const inner of e.errors) {
      const c = errorCode(inner, depth + 1);
      if (c) return c;
    }
  }
  return errorCode((e as { cause?: unknown }).cause, depth + 1);
}

function innermostMessage(e: unknown): string {
  let current: unknown = e;
  let message = String(e);
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    message = current.message || message;
    current = current.cause;
  }
  return message;
}
