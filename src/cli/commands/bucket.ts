import type { Command } from 'commander';
import { clientFor, note, out, printJson, withEndpoint, withJson } from '../command-context.js';
import { formatLocalDateTime } from '../output/format.js';
import { renderTable } from '../output/table.js';
import { type BucketInfo, S3ApiClient } from '../s3-client.js';

export function s3For(command: Command): S3ApiClient {
  return new S3ApiClient(clientFor(command).endpoint);
}

/** `nimbus bucket create|list|delete`: buckets of the object store (the S3 API). */
export function addBucketCommands(program: Command): void {
  const bucket = program.command('bucket').description('create, list and delete buckets of the object store');

  withEndpoint(
    bucket
      .command('create')
      .argument('<name>', 'bucket name (3-63 lower-case letters, digits, dots, hyphens)'),
  )
    .description('create a bucket')
    .action(async (name: string, _opts: unknown, command: Command) => {
      await s3For(command).createBucket(name);
      out(`created bucket ${name}\n`);
    });

  const list = bucket.command('list').alias('ls').description('list the buckets');
  withJson(list);
  withEndpoint(list).action(async (opts: { json?: boolean }, command: Command) => {
    const buckets = await s3For(command).listBuckets();
    if (opts.json) return printJson({ Buckets: buckets });
    if (buckets.length === 0) return note('No buckets yet. Create one with `nimbus bucket create <name>`.');
    out(
      renderTable<BucketInfo>(
        [
          { header: 'NAME', value: (b) => b.Name },
          { header: 'CREATED', value: (b) => formatLocalDateTime(Date.parse(b.CreationDate)) },
        ],
        buckets,
      ),
    );
  });

  withEndpoint(
    bucket
      .command('delete')
      .alias('rm')
      .argument('<name>', 'bucket name')
      .option('--force', 'delete every object in the bucket first'),
  )
    .description('delete a bucket (it must be empty unless --force)')
    .action(async (name: string, opts: { force?: boolean }, command: Command) => {
      const s3 = s3For(command);
      if (opts.force) {
        let token: string | undefined;
        do {
          const page = await s3.listObjects(name, token ? { token } : {});
          for (const o of page.objects) await s3.deleteObject(name, o.Key);
          token = page.next;
        } while (token);
      }
      await s3.deleteBucket(name);
      out(`deleted bucket ${name}\n`);
    });
}
