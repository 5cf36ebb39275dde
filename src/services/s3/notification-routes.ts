import { randomUUID } from 'node:crypto';
import { malformedXml, S3Error } from '../../domain/s3-errors.js';
import type { ObjectService } from '../../objects/object-service.js';
import {
  type NotificationConfigurationInput,
  readConfiguration,
  validateConfiguration,
} from '../../triggers/s3/notification-config.js';
import { readXmlBody } from './object-routes.js';
import { bucketOf, type S3Call, type S3Reply, xmlReply } from './s3-call.js';
import { parseXml, toXml } from './xml.js';

export interface NotificationDeps {
  objects: ObjectService;
  /** Whether a Lambda function ARN names a function S3 could invoke. */
  functionExists: (arn: string) => Promise<boolean>;
}

/**
 * Get/PutBucketNotificationConfiguration. On the wire (S3's service model) the SDKs'
 * `LambdaFunctionConfigurations` are flattened `<CloudFunctionConfiguration>` elements naming their
 * function in `<CloudFunction>`; `<LambdaFunctionConfiguration>`, as S3's documentation writes it,
 * is accepted too.
 */
export function notificationOperations(d: NotificationDeps) {
  return {
    async getBucketNotificationConfiguration(c: S3Call): Promise<S3Reply> {
      const bucket = await d.objects.bucket(bucketOf(c));
      const config = readConfiguration(bucket.notification);
      return xmlReply(
        toXml('NotificationConfiguration', {
          CloudFunctionConfiguration: config.lambdaFunctions.map((l) => ({
            Id: l.id,
            CloudFunction: l.functionArn,
            Event: l.events,
            Filter:
              l.filter.prefix === undefined && l.filter.suffix === undefined
                ? undefined
                : {
                    S3Key: {
                      FilterRule: [
                        ...(l.filter.prefix === undefined
                          ? []
                          : [{ Name: 'Prefix', Value: l.filter.prefix }]),
                        ...(l.filter.suffix === undefined
                          ? []
                          : [{ Name: 'Suffix', Value: l.filter.suffix }]),
                      ],
                    },
                  },
          })),
        }),
      );
    },

    async putBucketNotificationConfiguration(c: S3Call): Promise<S3Reply> {
      const name = bucketOf(c);
      await d.objects.bucket(name);
      const input = parseNotificationXml(await readXmlBody(c));
      const config = await validateConfiguration(input, d.functionExists, randomUUID);
      const stored = config.lambdaFunctions.length === 0 ? undefined : config;
      if (!(await d.objects.o.store.setNotification(name, stored))) {
        throw new S3Error('NoSuchBucket', undefined, { BucketName: name });
      }
      return { status: 200 };
    },
  };
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v.trim() : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

export function parseNotificationXml(body: Buffer): NotificationConfigurationInput {
  const doc = parseXml(body, 'NotificationConfiguration');
  const lambdaFunctions = [
    ...list(doc.LambdaFunctionConfiguration),
    ...list(doc.CloudFunctionConfiguration),
  ].map((raw) => {
    if (typeof raw !== 'object' || raw === null) throw malformedXml();
    const c = raw as Record<string, unknown>;
    const events = list(c.Event).map((e) => text(e) ?? '');
    const filter = c.Filter as { S3Key?: { FilterRule?: unknown } } | undefined;
    const rules = list(filter?.S3Key?.FilterRule).map((r) => {
      const rule = r as Record<string, unknown>;
      const name = text(rule.Name);
      if (name === undefined) throw malformedXml();
      return { name, value: typeof rule.Value === 'string' ? rule.Value : '' };
    });
    const id = text(c.Id);
    const functionArn = text(c.CloudFunction);
    return {
      ...(id ? { id } : {}),
      ...(functionArn ? { functionArn } : {}),
      events,
      filterRules: rules,
    };
  });
  const otherDestinations = [
    ...list(doc.QueueConfiguration).map((q) => text((q as Record<string, unknown>).Queue) ?? ''),
    ...list(doc.TopicConfiguration).map((t) => text((t as Record<string, unknown>).Topic) ?? ''),
  ];
  if (doc.EventBridgeConfiguration !== undefined) {
    throw new S3Error('NotImplemented', 'EventBridge notifications are not supported by Nimbus', {
      Header: 'EventBridgeConfiguration',
    });
  }
  return { lambdaFunctions, otherDestinations };
}
