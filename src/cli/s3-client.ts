import { openAsBlob } from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { networkError } from './api-client.js';
import { ApiError, CliError } from './errors.js';
import { credentialsFromEnv, type SigningCredentials, signRequest } from './request-signer.js';

const USER_AGENT = 'nimbus-cli';

/** RFC 3986 encoding of a path segment: unreserved characters stay, everything else is %XX. */
function uriEncode(s: string, keepSlash = false): string {
  const encoded = encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return keepSlash ? encoded.replace(/%2F/g, '/') : encoded;
}
const REPEATED = new Set([
  'Bucket',
  'Contents',
  'CommonPrefixes',
  'CloudFunctionConfiguration',
  'Event',
  'FilterRule',
  'Deleted',
  'Error',
]);
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  isArray: (n) => REPEATED.has(n),
});
const builder = new XMLBuilder({ ignoreAttributes: false });

export interface BucketInfo {
  Name: string;
  CreationDate: string;
}
export interface ObjectInfo {
  Key: string;
  Size: string;
  LastModified: string;
  ETag: string;
}
export interface NotificationRule {
  Id?: string;
  CloudFunction: string;
  Event: string[];
  Filter?: { S3Key?: { FilterRule?: { Name: string; Value: string }[] } };
}

/**
 * The S3 API of a Nimbus server, for `nimbus bucket|object|trigger`: path-style requests signed
 * with SigV4 (credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or placeholders, since
 * Nimbus accepts any). Errors become {@link ApiError} with S3's code (`NoSuchBucket: ...`).
 */
export class S3ApiClient {
  readonly endpoint: string;
  readonly #credentials: SigningCredentials;

  constructor(endpoint: string, env: NodeJS.ProcessEnv = process.env) {
    this.endpoint = endpoint.replace(/\/+$/, '');
    // S3 requests are routed by their signature's service, so they are always signed; without
    // configured credentials any key does on a server that does not enforce them.
    this.#credentials = credentialsFromEnv(env) ?? {
      accessKeyId: 'nimbus',
      secretAccessKey: 'nimbus',
      region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    };
  }

  async listBuckets(): Promise<BucketInfo[]> {
    const doc = await this.#xml('GET', '/', 'ListAllMyBucketsResult');
    return (doc.Buckets as { Bucket?: BucketInfo[] } | undefined)?.Bucket ?? [];
  }

  async createBucket(name: string): Promise<void> {
    await this.#send('PUT', `/${uriEncode(name)}`);
  }

  async deleteBucket(name: string): Promise<void> {
    await this.#send('DELETE', `/${uriEncode(name)}`);
  }

  /** One page of ListObjectsV2. */
  async listObjects(
    bucket: string,
    options: { prefix?: string; delimiter?: string; token?: string },
  ): Promise<{ objects: ObjectInfo[]; prefixes: string[]; next?: string }> {
    const query: Record<string, string> = { 'list-type': '2' };
    if (options.prefix) query.prefix = options.prefix;
    if (options.delimiter) query.delimiter = options.delimiter;
    if (options.token) query['continuation-token'] = options.token;
    const doc = await this.#xml('GET', `/${uriEncode(bucket)}`, 'ListBucketResult', query);
    const next = doc.IsTruncated === 'true' ? String(doc.NextContinuationToken) : undefined;
    return {
      objects: (doc.Contents as ObjectInfo[] | undefined) ?? [],
      prefixes: ((doc.CommonPrefixes as { Prefix: string }[] | undefined) ?? []).map((p) => p.Prefix),
      ...(next ? { next } : {}),
    };
  }

  async putObjectFile(bucket: string, key: string, file: string, contentType: string): Promise<string> {
    const body = await openAsBlob(file);
    const res = await this.#send('PUT', objectPath(bucket, key), {
      headers: { 'content-type': contentType },
      body,
    });
    return res.headers.get('etag') ?? '';
  }

  async putObjectBytes(bucket: string, key: string, bytes: Uint8Array, contentType: string): Promise<string> {
    const res = await this.#send('PUT', objectPath(bucket, key), {
      headers: { 'content-type': contentType },
      body: bytes,
    });
    return res.headers.get('etag') ?? '';
  }

  /** The object's bytes as a stream. */
  async getObject(bucket: string, key: string): Promise<Readable> {
    const res = await this.#send('GET', objectPath(bucket, key));
    if (!res.body) return Readable.from([]);
    return Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    await this.#send('DELETE', objectPath(bucket, key));
  }

  async getNotifications(bucket: string): Promise<NotificationRule[]> {
    const doc = await this.#xml('GET', `/${uriEncode(bucket)}`, 'NotificationConfiguration', {
      notification: '',
    });
    return ((doc.CloudFunctionConfiguration as NotificationRule[] | undefined) ?? []).map((r) => ({
      ...r,
      Event: r.Event ?? [],
    }));
  }

  async putNotifications(bucket: string, rules: NotificationRule[]): Promise<void> {
    const xml = builder.build({ NotificationConfiguration: { CloudFunctionConfiguration: rules } }) as string;
    await this.#send('PUT', `/${uriEncode(bucket)}`, {
      query: { notification: '' },
      headers: { 'content-type': 'application/xml' },
      body: new TextEncoder().encode(xml),
    });
  }

  async #xml(method: string, path: string, root: string, query: Record<string, string> = {}) {
    const res = await this.#send(method, path, { query });
    const text = await res.text();
    const doc = (parser.parse(text) as Record<string, unknown>)[root];
    if (doc === undefined) {
      throw new CliError(
        `unexpected answer to ${method} ${path} from ${this.endpoint}: no <${root}> document.`,
      );
    }
    return (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  }

  async #send(
    method: string,
    path: string,
    o: { query?: Record<string, string>; headers?: Record<string, string>; body?: Uint8Array | Blob } = {},
  ): Promise<Response> {
    const url = new URL(this.endpoint + path);
    for (const [k, v] of Object.entries(o.query ?? {})) url.searchParams.set(k, v);
    const headers = { 'user-agent': USER_AGENT, ...o.headers };
    const signed = await signRequest(this.#credentials, url, method, headers, undefined, 's3');
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: signed,
        ...(o.body ? { body: o.body } : {}),
      });
    } catch (e) {
      throw networkError(e, this.endpoint);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
      const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? res.statusText;
      if (!code) {
        throw new CliError(
          `${method} ${path} failed with HTTP ${res.status} from ${this.endpoint}, which does not answer like a Nimbus server.`,
        );
      }
      throw new ApiError(code, res.status, decodeEntities(message));
    }
    return res;
  }
}

function objectPath(bucket: string, key: string): string {
  return `/${uriEncode(bucket)}/${uriEncode(key, true)}`;
}

function decodeEntities(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
