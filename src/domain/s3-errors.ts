/**
 * Typed errors of the S3 domain. The `code` of an {@link S3Error} is the `<Code>` S3 puts in its
 * error XML; the HTTP status of each code and the XML itself live in one place only:
 * `services/s3/error-encoding.ts`. Messages are S3's own wording (docs: "Error responses",
 * ErrorCodeList), so clients and people who grep for them find what they expect.
 */
export const S3_ERROR_CODES = [
  'AccessDenied',
  'AuthorizationQueryParametersError',
  'BadDigest',
  'BucketAlreadyOwnedByYou',
  'BucketNotEmpty',
  'EntityTooLarge',
  'EntityTooSmall',
  'IllegalLocationConstraintException',
  'IncompleteBody',
  'InternalError',
  'InvalidAccessKeyId',
  'InvalidArgument',
  'InvalidBucketName',
  'InvalidDigest',
  'InvalidPart',
  'InvalidPartNumber',
  'InvalidPartOrder',
  'InvalidRange',
  'InvalidRequest',
  'KeyTooLongError',
  'MalformedXML',
  'MetadataTooLarge',
  'MethodNotAllowed',
  'MissingContentLength',
  'NoSuchBucket',
  'NoSuchKey',
  'NoSuchUpload',
  'NotImplemented',
  'NotModified',
  'PreconditionFailed',
  'RequestTimeTooSkewed',
  'SignatureDoesNotMatch',
  'XAmzContentSHA256Mismatch',
] as const;

export type S3ErrorCode = (typeof S3_ERROR_CODES)[number];

/** S3's standard message for each code; a thrower may pass a more specific one. */
export const S3_DEFAULT_MESSAGES: Record<S3ErrorCode, string> = {
  AccessDenied: 'Access Denied',
  AuthorizationQueryParametersError: 'Query-string authentication parameters are not valid.',
  InvalidAccessKeyId: 'The AWS Access Key Id you provided does not exist in our records.',
  RequestTimeTooSkewed: 'The difference between the request time and the current time is too large.',
  SignatureDoesNotMatch:
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  BadDigest: 'The Content-MD5 you specified did not match what we received.',
  BucketAlreadyOwnedByYou:
    'Your previous request to create the named bucket succeeded and you already own it.',
  BucketNotEmpty: 'The bucket you tried to delete is not empty',
  EntityTooLarge: 'Your proposed upload exceeds the maximum allowed size',
  EntityTooSmall: 'Your proposed upload is smaller than the minimum allowed size',
  IllegalLocationConstraintException:
    'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.',
  IncompleteBody: 'You did not provide the number of bytes specified by the Content-Length HTTP header',
  InternalError: 'We encountered an internal error. Please try again.',
  InvalidArgument: 'Invalid Argument',
  InvalidBucketName: 'The specified bucket is not valid.',
  InvalidDigest: 'The Content-MD5 you specified is not valid.',
  InvalidPart:
    "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
  InvalidPartNumber: 'The requested partnumber is not satisfiable',
  InvalidPartOrder:
    'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
  InvalidRange: 'The requested range is not satisfiable',
  InvalidRequest: 'Invalid Request',
  KeyTooLongError: 'Your key is too long',
  MalformedXML: 'The XML you provided was not well-formed or did not validate against our published schema',
  MetadataTooLarge: 'Your metadata headers exceed the maximum allowed metadata size.',
  MethodNotAllowed: 'The specified method is not allowed against this resource.',
  MissingContentLength: 'You must provide the Content-Length HTTP header.',
  NoSuchBucket: 'The specified bucket does not exist',
  NoSuchKey: 'The specified key does not exist.',
  NoSuchUpload:
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
  NotImplemented: 'A header you provided implies functionality that is not implemented',
  NotModified: 'Not Modified',
  PreconditionFailed: 'At least one of the pre-conditions you specified did not hold',
  XAmzContentSHA256Mismatch: "The provided 'x-amz-content-sha256' header does not match what was computed.",
};

export class S3Error extends Error {
  override readonly name = 'S3Error';
  constructor(
    readonly code: S3ErrorCode,
    message?: string,
    /** Extra elements of the error XML, in order (`BucketName`, `Key`, `ArgumentName`, ...). */
    readonly fields: Record<string, string | number> = {},
    /** Extra response headers (e.g. `Last-Modified` and `ETag` on 304). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? S3_DEFAULT_MESSAGES[code]);
  }
}

export function isS3Error(e: unknown): e is S3Error {
  return e instanceof S3Error;
}

export const noSuchBucket = (bucket: string) =>
  new S3Error('NoSuchBucket', undefined, { BucketName: bucket });
export const noSuchKey = (key: string) => new S3Error('NoSuchKey', undefined, { Key: key });
export const noSuchUpload = (uploadId: string) =>
  new S3Error('NoSuchUpload', undefined, { UploadId: uploadId });
export const malformedXml = () => new S3Error('MalformedXML');
export const invalidArgument = (message: string, name?: string, value?: string) =>
  new S3Error(
    'InvalidArgument',
    message,
    name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? '' },
  );
export const invalidRequest = (message: string) => new S3Error('InvalidRequest', message);
