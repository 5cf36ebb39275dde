import { S3Error, type S3ErrorCode } from '../../domain/s3-errors.js';
import { toXml } from './xml.js';

/**
 * The one place where S3 error codes become HTTP: status and the `<Error>` document (Amazon S3 API
 * Reference, "Error responses"). Responses to HEAD carry no body, only the status.
 */
const STATUS: Record<S3ErrorCode, number> = {
  AccessDenied: 403,
  AuthorizationQueryParametersError: 400,
  InvalidAccessKeyId: 403,
  RequestTimeTooSkewed: 403,
  SignatureDoesNotMatch: 403,
  BadDigest: 400,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  IllegalLocationConstraintException: 400,
  IncompleteBody: 400,
  InternalError: 500,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidDigest: 400,
  InvalidPart: 400,
  InvalidPartNumber: 416,
  InvalidPartOrder: 400,
  InvalidRange: 416,
  InvalidRequest: 400,
  KeyTooLongError: 400,
  MalformedXML: 400,
  MetadataTooLarge: 400,
  MethodNotAllowed: 405,
  MissingContentLength: 411,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NotImplemented: 501,
  NotModified: 304,
  PreconditionFailed: 412,
  XAmzContentSHA256Mismatch: 400,
};

export interface EncodedS3Error {
  status: number;
  headers: Record<string, string>;
  /** Empty for 304 and for HEAD requests. */
  body: string;
}

export function encodeS3Error(
  e: S3Error,
  ids: { requestId: string; hostId: string },
  head: boolean,
): EncodedS3Error {
  const status = STATUS[e.code];
  if (head || status === 304) return { status, headers: e.headers, body: '' };
  const body = toXml(
    'Error',
    { Code: e.code, Message: e.message, ...e.fields, RequestId: ids.requestId, HostId: ids.hostId },
    false,
  );
  return { status, headers: { 'content-type': 'application/xml', ...e.headers }, body };
}

/** Anything that is not an S3Error is a bug: the client gets InternalError, the log the cause. */
export function internalS3Error(): S3Error {
  return new S3Error('InternalError');
}
