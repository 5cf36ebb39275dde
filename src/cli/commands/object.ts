import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { note, out, printJson, withEndpoint, withJson } from '../command-context.js';
import { CliError } from '../errors.js';
import { formatBytes, formatLocalDateTime } from '../output/format.js';
import { renderTable } from '../output/table.js';
import { s3For } from './bucket.js';

/** Content types for common extensions; anything else is application/octet-stream. */
const TYPES: Record<string, string> = {
  '.txt': 'text/plain',
  '.html': 'text/html',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.csv': 'text/csv',
  '.xml': 'application/xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
};

/** `bucket/key/with/slashes` → bucket and key (the key may be empty). */
export function splitLocation(location: string): { bucket: string; key: string } {
  const trimmed = location.replace(/^s3:\/\//, '');
  const slash = trimmed.indexOf('/');
  return slash === -1
    ? { bucket: trimmed, key: '' }
    : { bucket: trimmed.slice(0, slash), key: trimmed.slice(slash + 1) };
}

/** `nimbus object put|get|list|rm`: objects of the object store (the S3 API). */
export function addObjectCommands(program: Command): void {
  const object = program
    .command('object')
    .alias('obj')
    .description('upload, download, list and delete objects');

  withEndpoint(
    object
      .command('put')
      .argument('<file>', 'a file to upload, or - for standard input')
      .argument('<bucket/key>', 'where to put it; a key ending in / (or none) gets the file name')
      .option('--content-type <type>', 'Content-Type to store (default: from the file extension)'),
  )
    .description('upload a file as an object')
    .action(async (file: string, location: string, opts: { contentType?: string }, command: Command) => {
      let { bucket, key } = splitLocation(location);
      if (file !== '-' && (key === '' || key.endsWith('/'))) key += basename(file);
      if (key === '')
        throw new CliError('give a key when uploading standard input: nimbus object put - <bucket>/<key>');
      const type = opts.contentType ?? TYPES[extname(key).toLowerCase()] ?? 'application/octet-stream';
      const s3 = s3For(command);
      let etag: string;
      if (file === '-') {
        const chunks: Buffer[] = [];
        for await (const c of process.stdin) chunks.push(c as Buffer);
        etag = await s3.putObjectBytes(bucket, key, Buffer.concat(chunks), type);
      } else {
        const info = await stat(file).catch(() => undefined);
        if (!info?.isFile()) throw new CliError(`cannot upload ${file}: no such file.`);
        etag = await s3.putObjectFile(bucket, key, file, type);
      }
      out(`uploaded ${file === '-' ? 'stdin' : file} to ${bucket}/${key} (ETag ${etag})\n`);
    });

  withEndpoint(
    object
      .command('get')
      .argument('<bucket/key>', 'the object')
      .argument('[file]', 'where to write it (default: standard output)'),
  )
    .description('download an object')
    .action(async (location: string, file: string | undefined, _opts: unknown, command: Command) => {
      const { bucket, key } = splitLocation(location);
      if (key === '') throw new CliError('give the object as <bucket>/<key>.');
      const body = await s3For(command).getObject(bucket, key);
      if (file === undefined || file === '-') await pipeline(body, process.stdout, { end: false });
      else {
        await pipeline(body, createWriteStream(file));
        note(`downloaded ${bucket}/${key} to ${file}`);
      }
    });

  const list = object
    .command('list')
    .alias('ls')
    .argument('<bucket[/prefix]>', 'bucket, optionally with a key prefix')
    .option('--recursive', 'list every key under the prefix instead of one level');
  withJson(list);
  withEndpoint(list)
    .description('list objects (one level, like a folder, unless --recursive)')
    .action(async (location: string, opts: { recursive?: boolean; json?: boolean }, command: Command) => {
      const { bucket, key: prefix } = splitLocation(location);
      const s3 = s3For(command);
      const objects = [];
      const prefixes: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.listObjects(bucket, {
          prefix,
          ...(opts.recursive ? {} : { delimiter: '/' }),
          ...(token ? { token } : {}),
        });
        objects.push(...page.objects);
        prefixes.push(...page.prefixes);
        token = page.next;
      } while (token);
      if (opts.json)
        return printJson({ Contents: objects, CommonPrefixes: prefixes.map((Prefix) => ({ Prefix })) });
      if (objects.length === 0 && prefixes.length === 0) return note(`No objects in ${location}.`);
      const rows = [
        ...prefixes.map((p) => ({ key: p, size: '', modified: '' })),
        ...objects.map((o) => ({
          key: o.Key,
          size: formatBytes(Number(o.Size)),
          modified: formatLocalDateTime(Date.parse(o.LastModified)),
        })),
      ];
      out(
        renderTable(
          [
            { header: 'KEY', value: (r) => r.key },
            { header: 'SIZE', value: (r) => r.size, align: 'right' },
            { header: 'LAST MODIFIED', value: (r) => r.modified },
          ],
          rows,
        ),
      );
    });

  withEndpoint(object.command('rm').alias('delete').argument('<bucket/key...>', 'objects to delete'))
    .description('delete objects')
    .action(async (locations: string[], _opts: unknown, command: Command) => {
      const s3 = s3For(command);
      for (const location of locations) {
        const { bucket, key } = splitLocation(location);
        if (key === '') throw new CliError(`give objects as <bucket>/<key>, not ${location}.`);
        await s3.deleteObject(bucket, key);
        out(`deleted ${bucket}/${key}\n`);
      }
    });
}
