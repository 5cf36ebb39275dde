import { join } from 'node:path';
import { parseFunctionRef } from '../../domain/arn.js';
import { invalidParameter } from '../../domain/errors.js';
import { isS3Error } from '../../domain/s3-errors.js';
import { BlobFiles } from '../../objects/blob-files.js';
import { MultipartService } from '../../objects/multipart-service.js';
import { ObjectService } from '../../objects/object-service.js';
import { isS3Host, isSigned, signedService } from '../../services/s3/addressing.js';
import { accountOwner } from '../../services/s3/bucket-routes.js';
import { S3Surface } from '../../services/s3/s3-surface.js';
import { SqliteObjectStore } from '../../store/sqlite/object-store.js';
import { S3Notifier } from '../../triggers/s3/notifier.js';
import { OutboxDispatcher } from '../../triggers/s3/outbox-dispatcher.js';
import type { App, Feature } from '../app.js';

/**
 * The object store with the S3 API on the gateway's port (routing rules in
 * `services/s3/addressing.ts`), bucket notifications to Lambda functions through the async
 * invoke path, and the startup sweep of blob files a crash left unreferenced.
 */
export const s3: Feature = async (app) => {
  const store = new SqliteObjectStore(app.db);
  const blobs = new BlobFiles(join(app.dir.root, 'objects'));
  await sweepUnreferenced(blobs, store, app);
  const owner = accountOwner(app.scope.accountId);
  const dispatcher = new OutboxDispatcher({
    store,
    invoker: () => app.asyncInvoker,
    clock: app.clock,
    log: app.log,
  });
  const objects = new ObjectService({
    store,
    blobs,
    clock: app.clock,
    region: app.scope.region,
    notifier: new S3Notifier(app.scope.region, owner.id.slice(0, 14).toUpperCase()),
    onEventsCommitted: () => dispatcher.kick(),
  });
  // Lambda reads code from S3 (Code.S3Bucket/S3Key); its errors name the S3 error it met.
  app.readObject = async (bucket, key) => {
    try {
      return await objects.readAll(await objects.head(bucket, key));
    } catch (e) {
      if (!isS3Error(e)) throw e;
      throw invalidParameter(
        `Error occurred while GetObject. S3 Error Code: ${e.code}. S3 Error Message: ${e.message}`,
      );
    }
  };
  const multipart = new MultipartService(objects);
  const functionExists = async (arn: string) => {
    if (!arn.startsWith('arn:')) return false;
    try {
      return (await app.registry.get(parseFunctionRef(app.scope, arn).name)) !== undefined;
    } catch {
      return false;
    }
  };
  const common = { objects, multipart, owner, functionExists, log: app.log, auth: app.auth };
  app.surfaces.push(
    new S3Surface({ ...common, name: 's3', matches: (x) => isS3Host(x.host) || signedService(x) === 's3' }),
  );
  app.fallbackSurfaces.push(new S3Surface({ ...common, name: 's3-unsigned', matches: (x) => !isSigned(x) }));
  app.services.push(dispatcher);
};

/** Blob files without a reference (a crash between writing bytes and committing metadata). */
async function sweepUnreferenced(blobs: BlobFiles, store: SqliteObjectStore, app: App): Promise<void> {
  const referenced = await store.blobKeys();
  const orphans = (await blobs.keys()).filter((k) => !referenced.has(k));
  if (orphans.length === 0) return;
  await blobs.reclaim(orphans, async (k) => referenced.has(k));
  app.log.info({ count: orphans.length }, 'removed object blobs no object referenced');
}
