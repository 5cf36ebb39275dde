import { Option } from 'commander';
import { CliError } from '../../errors.js';
import { type NotificationRule, S3ApiClient } from '../../s3-client.js';
import type { TriggerKind, TriggerRow } from './trigger-kind.js';

const SHORT_EVENTS: Record<string, string> = {
  created: 's3:ObjectCreated:*',
  removed: 's3:ObjectRemoved:*',
  put: 's3:ObjectCreated:Put',
  post: 's3:ObjectCreated:Post',
  copy: 's3:ObjectCreated:Copy',
  multipart: 's3:ObjectCreated:CompleteMultipartUpload',
  delete: 's3:ObjectRemoved:Delete',
};

/** `created`, `ObjectCreated:Put` or `s3:ObjectCreated:Put`, comma-separated and repeatable. */
export function collectEvents(value: string, previous: string[] = []): string[] {
  const parsed = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')
    .map((e) => SHORT_EVENTS[e.toLowerCase()] ?? (e.startsWith('s3:') ? e : `s3:${e}`));
  return [...previous, ...parsed];
}

const filterValue = (r: NotificationRule, name: string) =>
  r.Filter?.S3Key?.FilterRule?.find((f) => f.Name.toLowerCase() === name)?.Value;
const functionOf = (arn: string) => arn.split(':')[6] ?? arn;

/** A bucket trigger's id in `nimbus trigger list`: `<bucket>/<notification id>`. */
const BUCKET_TRIGGER_ID = /^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/;

/**
 * `nimbus trigger add <fn> --bucket B [--events ...] [--prefix P] [--suffix S] [--id ID]`: a
 * bucket notification (PutBucketNotificationConfiguration) that invokes the function
 * asynchronously with the S3 event when objects change.
 */
export const bucketTrigger: TriggerKind = {
  name: 'bucket',
  addOptions(cmd) {
    cmd.addOption(new Option('--bucket <bucket>', 'a bucket of this Nimbus: run on object changes'));
    cmd.addOption(
      new Option(
        '--events <events>',
        'bucket: created, removed, put, copy, multipart, delete or s3:... (default created)',
      ).argParser(collectEvents),
    );
    cmd.addOption(new Option('--prefix <prefix>', 'bucket: only keys that start with this'));
    cmd.addOption(new Option('--suffix <suffix>', 'bucket: only keys that end with this'));
    cmd.addOption(new Option('--id <id>', 'bucket: name of the notification (an existing one is replaced)'));
  },
  selects: (opts) => typeof opts.bucket === 'string',
  async add(client, target, opts) {
    const s3 = new S3ApiClient(client.endpoint);
    const bucket = String(opts.bucket);
    const arn = `arn:aws:lambda:${target.region}:${target.accountId}:function:${target.name}`;
    const events = (opts.events as string[] | undefined) ?? [];
    const prefix = opts.prefix as string | undefined;
    const suffix = opts.suffix as string | undefined;
    const id = opts.id as string | undefined;
    const filters = [
      ...(prefix === undefined ? [] : [{ Name: 'prefix', Value: prefix }]),
      ...(suffix === undefined ? [] : [{ Name: 'suffix', Value: suffix }]),
    ];
    const rule: NotificationRule = {
      ...(id ? { Id: id } : {}),
      CloudFunction: arn,
      Event: events.length ? events : ['s3:ObjectCreated:*'],
      ...(filters.length ? { Filter: { S3Key: { FilterRule: filters } } } : {}),
    };
    const kept = (await s3.getNotifications(bucket)).filter((r) => !id || r.Id !== id);
    await s3.putNotifications(bucket, [...kept, rule]);
    return `${target.name} now runs on ${rule.Event.join(', ')} in ${bucket}${prefix ? ` under ${prefix}` : ''}${suffix ? ` ending in ${suffix}` : ''}`;
  },
  async list(client, functionName) {
    const s3 = new S3ApiClient(client.endpoint);
    const rows: TriggerRow[] = [];
    for (const { Name: bucket } of await s3.listBuckets()) {
      for (const rule of await s3.getNotifications(bucket)) {
        if (functionOf(rule.CloudFunction) !== functionName) continue;
        const prefix = filterValue(rule, 'prefix');
        const suffix = filterValue(rule, 'suffix');
        rows.push({
          id: `${bucket}/${rule.Id ?? ''}`,
          type: 'bucket',
          source: `${bucket} ${rule.Event.join(',')}${prefix ? ` prefix=${prefix}` : ''}${suffix ? ` suffix=${suffix}` : ''}`,
          state: 'Enabled',
          batch: '-',
          lag: '-',
          result: '-',
        });
      }
    }
    return rows;
  },
  async remove(client, id) {
    const m = BUCKET_TRIGGER_ID.exec(id);
    if (!m) return undefined;
    const [, bucket, ruleId] = m as unknown as [string, string, string];
    const s3 = new S3ApiClient(client.endpoint);
    const rules = await s3.getNotifications(bucket);
    const kept = rules.filter((r) => r.Id !== ruleId);
    if (kept.length === rules.length) throw new CliError(`no trigger ${ruleId} on bucket ${bucket}.`);
    await s3.putNotifications(bucket, kept);
    return `Removed trigger ${id}`;
  },
};
