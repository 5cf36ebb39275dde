import type { Command } from 'commander';
import { clientFor, note, out, printJson, withEndpoint, withJson } from '../command-context.js';
import { CliError } from '../errors.js';
import { renderTable } from '../output/table.js';
import type { NotificationRule } from '../s3-client.js';
import { s3For } from './bucket.js';

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

interface Row {
  bucket: string;
  rule: NotificationRule;
}

const filterValue = (r: NotificationRule, name: string) =>
  r.Filter?.S3Key?.FilterRule?.find((f) => f.Name.toLowerCase() === name)?.Value;
const functionName = (arn: string) => arn.split(':')[6] ?? arn;

/** `nimbus trigger add|list|remove`: run a function when objects change (bucket notifications). */
export function addTriggerCommands(program: Command): void {
  const trigger = program.command('trigger').description('run functions when objects are created or removed');

  withEndpoint(
    trigger
      .command('add')
      .argument('<function>', 'the function to invoke (asynchronously, with the S3 event)')
      .requiredOption('--bucket <bucket>', 'bucket to watch')
      .option(
        '--events <events>',
        'created, removed, put, copy, multipart, delete or s3:... types (default: created)',
        collectEvents,
      )
      .option('--prefix <prefix>', 'only keys that start with this')
      .option('--suffix <suffix>', 'only keys that end with this')
      .option('--id <id>', 'name of this trigger (default: generated); an existing one is replaced'),
  )
    .description('invoke a function when objects in a bucket change')
    .action(
      async (
        fn: string,
        opts: { bucket: string; events?: string[]; prefix?: string; suffix?: string; id?: string },
        command: Command,
      ) => {
        const config = await clientFor(command).getFunction(fn);
        const arn = config.Configuration.FunctionArn;
        const s3 = s3For(command);
        const rules = await s3.getNotifications(opts.bucket);
        const filters = [
          ...(opts.prefix === undefined ? [] : [{ Name: 'prefix', Value: opts.prefix }]),
          ...(opts.suffix === undefined ? [] : [{ Name: 'suffix', Value: opts.suffix }]),
        ];
        const rule: NotificationRule = {
          ...(opts.id ? { Id: opts.id } : {}),
          CloudFunction: arn,
          Event: opts.events?.length ? opts.events : ['s3:ObjectCreated:*'],
          ...(filters.length ? { Filter: { S3Key: { FilterRule: filters } } } : {}),
        };
        const kept = rules.filter((r) => !opts.id || r.Id !== opts.id);
        await s3.putNotifications(opts.bucket, [...kept, rule]);
        out(
          `${fn} now runs on ${rule.Event.join(', ')} in ${opts.bucket}${opts.prefix ? ` under ${opts.prefix}` : ''}${opts.suffix ? ` ending in ${opts.suffix}` : ''}\n`,
        );
      },
    );

  const list = trigger.command('list').alias('ls').option('--bucket <bucket>', 'only this bucket');
  withJson(list);
  withEndpoint(list)
    .description('list bucket triggers')
    .action(async (opts: { bucket?: string; json?: boolean }, command: Command) => {
      const s3 = s3For(command);
      const buckets = opts.bucket ? [opts.bucket] : (await s3.listBuckets()).map((b) => b.Name);
      const rows: Row[] = [];
      for (const bucket of buckets)
        for (const rule of await s3.getNotifications(bucket)) rows.push({ bucket, rule });
      if (opts.json) return printJson({ Triggers: rows.map((r) => ({ Bucket: r.bucket, ...r.rule })) });
      if (rows.length === 0)
        return note('No triggers. Add one with `nimbus trigger add <function> --bucket <bucket>`.');
      out(
        renderTable<Row>(
          [
            { header: 'BUCKET', value: (r) => r.bucket },
            { header: 'ID', value: (r) => r.rule.Id ?? '' },
            { header: 'FUNCTION', value: (r) => functionName(r.rule.CloudFunction) },
            { header: 'EVENTS', value: (r) => r.rule.Event.join(',') },
            { header: 'PREFIX', value: (r) => filterValue(r.rule, 'prefix') ?? '' },
            { header: 'SUFFIX', value: (r) => filterValue(r.rule, 'suffix') ?? '' },
          ],
          rows,
        ),
      );
    });

  withEndpoint(
    trigger
      .command('remove')
      .alias('rm')
      .argument('<function>', 'the function whose triggers to remove')
      .requiredOption('--bucket <bucket>', 'bucket')
      .option('--id <id>', 'only the trigger with this id'),
  )
    .description('stop invoking a function for a bucket')
    .action(async (fn: string, opts: { bucket: string; id?: string }, command: Command) => {
      const s3 = s3For(command);
      const rules = await s3.getNotifications(opts.bucket);
      const removes = (r: NotificationRule) =>
        functionName(r.CloudFunction) === fn && (!opts.id || r.Id === opts.id);
      const kept = rules.filter((r) => !removes(r));
      if (kept.length === rules.length) {
        throw new CliError(
          `no trigger of ${fn}${opts.id ? ` with id ${opts.id}` : ''} on bucket ${opts.bucket}.`,
        );
      }
      await s3.putNotifications(opts.bucket, kept);
      out(`removed ${rules.length - kept.length} trigger(s) of ${fn} from ${opts.bucket}\n`);
    });
}
