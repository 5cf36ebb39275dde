import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { isS3Error, S3Error } from '../../domain/s3-errors.js';
import type { HttpExchange, Surface } from '../../gateway/exchange.js';
import { type AuthFailure, SigV4Authenticator } from '../../gateway/sigv4-auth.js';
import type { RequestContext } from '../../objects/changes.js';
import type { MultipartService } from '../../objects/multipart-service.js';
import type { ObjectService } from '../../objects/object-service.js';
import type { Logger } from '../../observability/logger.js';
import { credentialScope, type S3Address, s3Address } from './addressing.js';
import { bucketOperations, type Owner } from './bucket-routes.js';
import { encodeS3Error, internalS3Error } from './error-encoding.js';
import { listOperations } from './list-routes.js';
import { multipartOperations } from './multipart-routes.js';
import { notificationOperations } from './notification-routes.js';
import { objectOperations } from './object-routes.js';
import type { S3Call, S3Operation, S3Reply } from './s3-call.js';

export interface S3SurfaceOptions {
  name: string;
  matches: (x: HttpExchange) => boolean;
  objects: ObjectService;
  multipart: MultipartService;
  owner: Owner;
  functionExists: (arn: string) => Promise<boolean>;
  log: Logger;
  auth: SigV4Authenticator;
}

/**
 * Sub-resources (query parameters without which a request is a plain object or bucket request)
 * Nimbus does not implement: S3 answers them, so an unknown one must not fall through to, say,
 * PutObject and overwrite an object with an ACL document.
 */
const UNSUPPORTED_SUBRESOURCES = [
  'accelerate',
  'acl',
  'analytics',
  'attributes',
  'cors',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'logging',
  'metadataConfiguration',
  'metrics',
  'object-lock',
  'ownershipControls',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'restore',
  'retention',
  'select',
  'tagging',
  'torrent',
  'versions',
  'website',
  'versionId',
];

/**
 * The S3 REST API (XML) on the gateway's port: finds the operation from method, bucket, key and
 * sub-resource, runs it, and writes its answer or S3's error document (encoded in one place:
 * `error-encoding.ts`).
 */
export class S3Surface implements Surface {
  readonly name: string;
  readonly #o: S3SurfaceOptions;
  readonly #ops;

  constructor(o: S3SurfaceOptions) {
    this.name = o.name;
    this.#o = o;
    this.#ops = {
      ...bucketOperations(o.objects, o.owner),
      ...objectOperations(o.objects),
      ...listOperations(o.objects, o.owner),
      ...multipartOperations(o.objects, o.multipart, o.owner),
      ...notificationOperations({ objects: o.objects, functionExists: o.functionExists }),
    };
  }

  matches(x: HttpExchange): boolean {
    return this.#o.matches(x);
  }

  async handle(x: HttpExchange): Promise<void> {
    const ids = s3Ids(x.requestId);
    const address = s3Address(x);
    const call: S3Call = {
      x,
      bucket: address.bucket,
      key: address.key,
      query: x.query,
      ctx: requestContext(x, ids),
    };
    const head = x.method === 'HEAD';
    try {
      // S3 clients sign `X-Amz-Content-Sha256` (a hash or UNSIGNED-PAYLOAD/STREAMING-*): the
      // signature is checked before the body streams in; the body against the hash, by the
      // operations that store it.
      // URLs presigned with S3's legacy Signature Version 2 (old boto3's default) are checked
      // against the resource with the bucket in front, whatever the addressing style.
      const verdict =
        SigV4Authenticator.hasV2QuerySignature(x) && !SigV4Authenticator.isSigned(x)
          ? this.#o.auth.verifyS3QueryV2(x, signedResource(x, address))
          : await this.#o.auth.verify(x);
      if (!verdict.ok) throw authError(verdict.failure, verdict.message);
      const operation = this.#operation(call);
      const reply = await operation(call);
      await this.#reply(x, ids, reply, head);
    } catch (e) {
      let error: S3Error;
      if (isS3Error(e)) error = e;
      else {
        this.#o.log.error({ err: e, requestId: x.requestId }, 'unexpected error in S3 API');
        error = internalS3Error();
      }
      if (x.res.headersSent) {
        x.res.destroy();
        return;
      }
      const encoded = encodeS3Error(error, ids, head);
      // A body we did not read (an upload refused up front) is drained so the client sees the answer.
      if (!x.req.complete) x.req.resume();
      x.res.writeHead(encoded.status, {
        ...baseHeaders(ids),
        ...encoded.headers,
        'content-length': Buffer.byteLength(encoded.body),
      });
      x.res.end(encoded.body);
    }
  }

  /** The operation for method, bucket, key and sub-resource (S3 API Reference, per operation). */
  #operation(c: S3Call): S3Operation {
    const m = c.x.method;
    if (c.bucket === undefined) {
      if (m === 'GET') return this.#ops.listBuckets;
      throw methodNotAllowed(m, 'SERVICE');
    }
    return c.key === undefined ? this.#bucketOperation(c, m) : this.#objectOperation(c, m);
  }

  #bucketOperation(c: S3Call, m: string): S3Operation {
    const ops = this.#ops;
    const q = c.query;
    if (q.has('notification')) {
      if (m === 'GET') return ops.getBucketNotificationConfiguration;
      if (m === 'PUT') return ops.putBucketNotificationConfiguration;
      throw methodNotAllowed(m, 'BUCKET');
    }
    const unsupported = UNSUPPORTED_SUBRESOURCES.find((s) => q.has(s));
    if (unsupported) throw notImplemented(unsupported);
    if (m === 'GET') {
      if (q.has('location')) return ops.getBucketLocation;
      if (q.has('versioning')) return ops.getBucketVersioning;
      if (q.has('uploads')) return ops.listMultipartUploads;
      return q.get('list-type') === '2' ? ops.listObjectsV2 : ops.listObjects;
    }
    if (m === 'POST' && q.has('delete')) return ops.deleteObjects;
    const plain: Record<string, S3Operation> = {
      PUT: ops.createBucket,
      HEAD: ops.headBucket,
      DELETE: ops.deleteBucket,
    };
    const op = plain[m];
    if (!op) throw methodNotAllowed(m, 'BUCKET');
    return op;
  }

  #objectOperation(c: S3Call, m: string): S3Operation {
    const ops = this.#ops;
    const q = c.query;
    // Objects carry no tags; `aws s3 cp` asks for them before a multipart copy.
    if (m === 'GET' && q.has('tagging')) return ops.getObjectTagging;
    const unsupported = UNSUPPORTED_SUBRESOURCES.find((s) => q.has(s));
    if (unsupported) throw notImplemented(unsupported);
    const upload = q.has('uploadId');
    const copy = c.x.req.headers['x-amz-copy-source'] !== undefined;
    const part = upload || q.has('partNumber');
    const byMethod: Record<string, S3Operation | undefined> = {
      PUT: part ? (copy ? ops.uploadPartCopy : ops.uploadPart) : copy ? ops.copyObject : ops.putObject,
      GET: upload ? ops.listParts : ops.getObject,
      HEAD: ops.headObject,
      DELETE: upload ? ops.abortMultipartUpload : ops.deleteObject,
      POST: q.has('uploads') ? ops.createMultipartUpload : upload ? ops.completeMultipartUpload : undefined,
    };
    const op = byMethod[m];
    if (!op) throw methodNotAllowed(m, 'OBJECT');
    return op;
  }

  async #reply(x: HttpExchange, ids: S3Ids, r: S3Reply, head: boolean): Promise<void> {
    const headers: Record<string, string | number> = { ...baseHeaders(ids), ...r.headers };
    const body = r.body;
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
      if (!('content-length' in headers))
        headers['content-length'] = body === undefined ? 0 : Buffer.byteLength(body);
      x.res.writeHead(r.status, headers);
      x.res.end(head ? undefined : body);
      return;
    }
    x.res.writeHead(r.status, headers);
    if (head) {
      body.destroy();
      x.res.end();
      return;
    }
    try {
      await pipeline(body, x.res);
    } catch (e) {
      // The client went away, or reading failed mid-body: the length is already promised, so the
      // only honest signal left is a cut connection.
      if (!x.res.destroyed) x.res.destroy(e as Error);
    }
  }
}

interface S3Ids {
  requestId: string;
  hostId: string;
}

/** S3-style ids: a 16-character upper-case hex request id and a base64 host id. */
function s3Ids(requestId: string): S3Ids {
  const hex = requestId.replace(/-/g, '').toUpperCase();
  return {
    requestId: hex.slice(0, 16),
    hostId: createHash('sha256').update(requestId).digest('base64'),
  };
}

function baseHeaders(ids: S3Ids): Record<string, string> {
  return { 'x-amz-request-id': ids.requestId, 'x-amz-id-2': ids.hostId, server: 'AmazonS3' };
}

function requestContext(x: HttpExchange, ids: S3Ids): RequestContext {
  const scope = credentialScope(x);
  return {
    requestId: ids.requestId,
    hostId: ids.hostId,
    principalId: scope ? `AWS:${scope.accessKeyId}` : 'Anonymous',
    sourceIp: (x.req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
  };
}

function methodNotAllowed(method: string, resourceType: string): S3Error {
  return new S3Error('MethodNotAllowed', undefined, { Method: method, ResourceType: resourceType });
}

function notImplemented(subresource: string): S3Error {
  return new S3Error('NotImplemented', undefined, { Header: `?${subresource}` });
}

function authError(failure: AuthFailure, message: string): S3Error {
  switch (failure) {
    case 'bad-query':
      return new S3Error('AuthorizationQueryParametersError', message);
    case 'missing':
      return new S3Error('AccessDenied');
    case 'url-expired':
      return new S3Error('AccessDenied', 'Request has expired');
    case 'unsigned-headers':
      return new S3Error('AccessDenied', message);
    case 'unknown-key':
      return new S3Error('InvalidAccessKeyId');
    case 'expired':
      return new S3Error('RequestTimeTooSkewed');
    case 'bad-signature':
      return new S3Error('SignatureDoesNotMatch');
  }
}

/** `/bucket/key` as sent: the path of a path-style request, the bucket + path of a host-style one. */
function signedResource(x: HttpExchange, address: S3Address): string {
  return address.style === 'virtual-host' && address.bucket ? `/${address.bucket}${x.path}` : x.path;
}
