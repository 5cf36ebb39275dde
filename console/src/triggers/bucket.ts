import {
  CreateBucketCommand,
  GetBucketNotificationConfigurationCommand,
  type LambdaFunctionConfiguration,
  ListBucketsCommand,
  PutBucketNotificationConfigurationCommand,
  S3Client,
  type Event as S3Event,
} from '@aws-sdk/client-s3';
import { awsConfig } from '../api/client';
import { asApiError } from '../api/errors';
import type { CreatedTrigger, FunctionTarget, Option, Settings, TriggerRow } from '../triggers';

/** Path-style (`/bucket/key`) on this server's own address, as the README tells SDK users. */
export const s3Client = () =>
  new S3Client({ ...awsConfig(), forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });

async function bucketNames(c: S3Client): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await c.send(new ListBucketsCommand({ ...(token ? { ContinuationToken: token } : {}) }));
    names.push(...(page.Buckets ?? []).map((b) => b.Name ?? ''));
    token = page.ContinuationToken;
  } while (token);
  return names;
}

const functionOf = (arn: string | undefined) => (arn ?? '').split(':')[6] ?? '';
const rule = (r: LambdaFunctionConfiguration, name: string) =>
  r.Filter?.Key?.FilterRules?.find((f) => f.Name?.toLowerCase() === name)?.Value;

export async function bucketOptions(): Promise<Option[]> {
  const c = s3Client();
  try {
    return (await bucketNames(c)).map((n) => ({ value: n, label: n }));
  } finally {
    c.destroy();
  }
}

export async function createBucketTrigger(fn: FunctionTarget, s: Settings): Promise<CreatedTrigger> {
  const c = s3Client();
  try {
    const bucket = (s.bucket ?? '').trim();
    if (s.createBucket === 'true') {
      try {
        await c.send(new CreateBucketCommand({ Bucket: bucket }));
      } catch (e) {
        if (asApiError(e).code !== 'BucketAlreadyOwnedByYou') throw e;
      }
    }
    const current = await c.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
    const filters = [
      ...(s.prefix ? [{ Name: 'prefix' as const, Value: s.prefix }] : []),
      ...(s.suffix ? [{ Name: 'suffix' as const, Value: s.suffix }] : []),
    ];
    const events = (s.events || 's3:ObjectCreated:*').split(',') as S3Event[];
    const added: LambdaFunctionConfiguration = {
      Id: `${fn.name}-${Date.now().toString(36)}`,
      LambdaFunctionArn: fn.arn,
      Events: events,
      ...(filters.length ? { Filter: { Key: { FilterRules: filters } } } : {}),
    };
    await c.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          ...(current.TopicConfigurations?.length
            ? { TopicConfigurations: current.TopicConfigurations }
            : {}),
          ...(current.QueueConfigurations?.length
            ? { QueueConfigurations: current.QueueConfigurations }
            : {}),
          LambdaFunctionConfigurations: [...(current.LambdaFunctionConfigurations ?? []), added],
        },
      }),
    );
    return {
      message: `${fn.name} runs on ${events.join(', ')} in ${bucket}${s.prefix ? ` under ${s.prefix}` : ''}${s.suffix ? ` ending in ${s.suffix}` : ''}`,
    };
  } finally {
    c.destroy();
  }
}

export async function listBucketTriggers(fn: FunctionTarget): Promise<TriggerRow[]> {
  const c = s3Client();
  try {
    const rows: TriggerRow[] = [];
    for (const bucket of await bucketNames(c)) {
      const config = await c.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
      for (const r of config.LambdaFunctionConfigurations ?? []) {
        if (functionOf(r.LambdaFunctionArn) !== fn.name) continue;
        const prefix = rule(r, 'prefix');
        const suffix = rule(r, 'suffix');
        rows.push({
          kind: 'Bucket upload',
          id: `${bucket}/${r.Id ?? ''}`,
          source: bucket,
          details: [
            (r.Events ?? []).join(', '),
            ...(prefix ? [`prefix ${prefix}`] : []),
            ...(suffix ? [`suffix ${suffix}`] : []),
          ].join(' · '),
          state: 'Enabled',
          remove: async () => {
            const d = s3Client();
            try {
              const now = await d.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
              await d.send(
                new PutBucketNotificationConfigurationCommand({
                  Bucket: bucket,
                  NotificationConfiguration: {
                    ...(now.TopicConfigurations?.length
                      ? { TopicConfigurations: now.TopicConfigurations }
                      : {}),
                    ...(now.QueueConfigurations?.length
                      ? { QueueConfigurations: now.QueueConfigurations }
                      : {}),
                    LambdaFunctionConfigurations: (now.LambdaFunctionConfigurations ?? []).filter(
                      (x) => x.Id !== r.Id,
                    ),
                  },
                }),
              );
            } finally {
              d.destroy();
            }
          },
        });
      }
    }
    return rows;
  } finally {
    c.destroy();
  }
}
