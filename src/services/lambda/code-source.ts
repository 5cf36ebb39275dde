import { invalidParameter } from '../../domain/errors.js';

/** Reads an object of Nimbus's object store; set when the S3 feature is installed. */
export type ObjectReader = (bucket: string, key: string, versionId?: string) => Promise<Buffer>;

export interface CodeMembers {
  ZipFile?: string | undefined;
  S3Bucket?: string | undefined;
  S3Key?: string | undefined;
  S3ObjectVersion?: string | undefined;
}

const UNZIP_FAILED = 'Could not unzip uploaded file. Please check your file, then try to upload again.';

/**
 * The deployment package of CreateFunction, UpdateFunctionCode and PublishLayerVersion: the
 * base64 `ZipFile`, or an object of Nimbus's own object store named by `S3Bucket`/`S3Key`, as
 * Lambda reads code from S3.
 */
export async function codeFrom(code: CodeMembers, readObject: ObjectReader | undefined): Promise<Buffer> {
  if (code.ZipFile !== undefined) {
    const zip = Buffer.from(code.ZipFile, 'base64');
    if (zip.length === 0) throw invalidParameter(UNZIP_FAILED);
    return zip;
  }
  if (code.S3Bucket !== undefined || code.S3Key !== undefined) {
    if (!code.S3Bucket || !code.S3Key) {
      throw invalidParameter('Please provide both S3Bucket and S3Key for code stored in S3.');
    }
    if (!readObject)
      throw invalidParameter('This Nimbus server has no object store to read S3Bucket/S3Key from.');
    return readObject(code.S3Bucket, code.S3Key, code.S3ObjectVersion);
  }
  throw invalidParameter('Please provide a source for function code.');
}
