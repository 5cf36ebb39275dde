import { createHash } from 'node:crypto';
import { S3Error } from '../../domain/s3-errors.js';
import { XML_BODY_MAX_BYTES } from '../../domain/s3-limits.js';
import { readRequestBody } from '../../gateway/exchange.js';
import type { ObjectService } from '../../objects/object-service.js';
import { bucketOf, type S3Call, type S3Reply, xmlReply } from './s3-call.js';
import { isoTime, parseXml, toXml } from './xml.js';

/** The owner every bucket and object shows: one per account. */
export interface Owner {
  id: string;
  displayName: string;
}

export function accountOwner(accountId: string): Owner {
  return {
    id: createHash('sha256').update(`nimbus-owner:${accountId}`).digest('hex'),
    displayName: 'nimbus',
  };
}

export function bucketOperations(objects: ObjectService, owner: Owner) {
  return {
    async listBuckets(): Promise<S3Reply> {
      const buckets = await objects.listBuckets();
      return xmlReply(
        toXml('ListAllMyBucketsResult', {
          Owner: { ID: owner.id, DisplayName: owner.displayName },
          Buckets: {
            Bucket: buckets.map((b) => ({
              Name: b.name,
              CreationDate: isoTime(b.createdAt),
              BucketRegion: b.region,
            })),
          },
        }),
      );
    },

    /**
     * CreateBucket. Re-creating a bucket you own is 409 BucketAlreadyOwnedByYou everywhere but
     * us-east-1, where S3 answers 200 for legacy compatibility (S3 API Reference, CreateBucket).
     */
    async createBucket(c: S3Call): Promise<S3Reply> {
      const bucket = bucketOf(c);
      const body = await readRequestBody(c.x.req, XML_BODY_MAX_BYTES).catch(() => {
        throw new S3Error('MalformedXML');
      });
      const region = objects.region;
      let constraint = '';
      if (body.length > 0) {
        const config = parseXml(body, 'CreateBucketConfiguration');
        constraint = typeof config.LocationConstraint === 'string' ? config.LocationConstraint.trim() : '';
      }
      // us-east-1 is the one region whose constraint is empty.
      if (constraint !== (region === 'us-east-1' ? '' : region)) {
        throw new S3Error(
          'IllegalLocationConstraintException',
          `The ${constraint || 'unspecified'} location constraint is incompatible for the region specific endpoint this request was sent to.`,
        );
      }
      const result = await objects.createBucket(bucket);
      if (result === 'exists' && region !== 'us-east-1') {
        throw new S3Error('BucketAlreadyOwnedByYou', undefined, { BucketName: bucket });
      }
      return { status: 200, headers: { location: `/${bucket}` } };
    },

    async headBucket(c: S3Call): Promise<S3Reply> {
      const b = await objects.bucket(bucketOf(c));
      return {
        status: 200,
        headers: { 'x-amz-bucket-region': b.region, 'x-amz-access-point-alias': 'false' },
      };
    },

    async deleteBucket(c: S3Call): Promise<S3Reply> {
      await objects.deleteBucket(bucketOf(c));
      return { status: 204 };
    },

    async getBucketLocation(c: S3Call): Promise<S3Reply> {
      const b = await objects.bucket(bucketOf(c));
      // us-east-1 is the empty constraint.
      return xmlReply(toXml('LocationConstraint', b.region === 'us-east-1' ? {} : { '#text': b.region }));
    },

    /** Buckets are never versioned: an empty VersioningConfiguration. */
    async getBucketVersioning(c: S3Call): Promise<S3Reply> {
      await objects.bucket(bucketOf(c));
      return xmlReply(toXml('VersioningConfiguration', {}));
    },
  };
}
