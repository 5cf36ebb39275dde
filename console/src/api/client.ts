import { Sha256 } from '@aws-crypto/sha256-js';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { ANONYMOUS, type Credentials, storedCredentials } from './credentials';
import { ApiError } from './errors';

/**
 * How the console talks to Nimbus: the AWS SDK's Lambda client for the Lambda API (it signs,
 * retries nothing here, and decodes AWS errors), and SigV4-signed fetches for `/nimbus/v1`. Both
 * use the access key from the login, or an anonymous one when the server does not ask for one.
 */
let credentials: Credentials = storedCredentials() ?? ANONYMOUS;
let region = 'us-east-1';
let lambdaClient: LambdaClient | undefined;

export function setCredentials(c: Credentials | undefined): void {
  credentials = c ?? ANONYMOUS;
  lambdaClient?.destroy();
  lambdaClient = undefined;
}

export function setRegion(r: string): void {
  if (r === region) return;
  region = r;
  lambdaClient?.destroy();
  lambdaClient = undefined;
}

/**
 * What every AWS SDK client of the console is made with: this server as the endpoint, the
 * session's key, no retries (an error shows at once, in AWS's words). S3 adds path-style URLs.
 */
export function awsConfig() {
  return {
    endpoint: location.origin,
    region,
    credentials: () => Promise.resolve(credentials),
    maxAttempts: 1,
  };
}

export function currentRegion(): string {
  return region;
}

export function lambda(): LambdaClient {
  lambdaClient ??= new LambdaClient(awsConfig());
  return lambdaClient;
}

type Query = Record<string, string | number | undefined>;

/** A signed call to Nimbus's own API; AWS-shaped errors become {@link ApiError}. */
export async function nimbus<T>(
  method: string,
  path: string,
  opts: { query?: Query; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) query[k] = String(v);
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const request = new HttpRequest({
    method,
    protocol: location.protocol,
    hostname: location.hostname,
    ...(location.port ? { port: Number(location.port) } : {}),
    path,
    query,
    headers: { host: location.host, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body }),
  });
  const signer = new SignatureV4({ credentials, region, service: 'lambda', sha256: Sha256 });
  const signed = await signer.sign(request);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) if (k !== 'host') headers[k] = v;
  const qs = new URLSearchParams(query).toString();
  let res: Response;
  try {
    res = await fetch(`${path}${qs ? `?${qs}` : ''}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (e) {
    throw new ApiError('NetworkError', `Nimbus did not answer: ${(e as Error).message}`, 0);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const o = (json ?? {}) as { message?: string; Message?: string };
    const code = (res.headers.get('x-amzn-errortype') ?? `HTTP${res.status}`).split(':')[0]!;
    throw new ApiError(code, o.message ?? o.Message ?? (text || res.statusText), res.status);
  }
  return json as T;
}
