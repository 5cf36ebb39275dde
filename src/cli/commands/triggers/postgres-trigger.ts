import { Option } from 'commander';
import { CliError } from '../../errors.js';
import { commonMappingMembers, type TriggerKind } from './trigger-kind.js';

const OPERATIONS: Record<string, string> = { insert: 'INSERT', update: 'MODIFY', delete: 'REMOVE' };

/**
 * `nimbus trigger add <fn> --postgres URL --table schema.table [--table ...]`: row changes of
 * PostgreSQL tables, through logical replication. `--operations insert,update` becomes a filter
 * on `eventName`.
 */
export const postgresTrigger: TriggerKind = {
  name: 'postgres',
  addOptions(cmd) {
    cmd.addOption(
      new Option('--postgres <url>', 'postgres://user:password@host:port/database of the tables'),
    );
    cmd.addOption(
      new Option('--table <schema.table>', 'postgres: a table to follow (repeat for several)').argParser(
        (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
      ),
    );
    cmd.addOption(new Option('--operations <list>', 'postgres: insert,update,delete (default: all)'));
    cmd.addOption(
      new Option('--starting-position <position>', 'postgres: TRIM_HORIZON or LATEST').choices([
        'TRIM_HORIZON',
        'LATEST',
      ]),
    );
    cmd.addOption(
      new Option('--retries <n>', 'postgres: retry a failing batch this often (-1: until it succeeds)'),
    );
    cmd.addOption(
      new Option('--max-record-age <seconds>', 'postgres: skip changes older than this (-1: never)'),
    );
    cmd.option('--bisect', 'postgres: split a failing batch in two and retry each half');
    cmd.addOption(
      new Option(
        '--on-failure <queue>',
        'postgres: queue (name or ARN) for batches that could not be delivered',
      ),
    );
  },
  selects: (opts) => typeof opts.postgres === 'string',
  async add(client, target, opts) {
    const url = String(opts.postgres);
    let database: string;
    try {
      database = decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
    } catch {
      throw new CliError(
        `--postgres "${url}" is not a connection string such as postgres://user:pw@localhost:5432/shop.`,
      );
    }
    const tables = (opts.table as string[] | undefined)?.map((t) => (t.includes('.') ? t : `public.${t}`));
    if (!tables?.length)
      throw new CliError('say which tables to follow: --table <schema.table> (repeatable).');
    const filters = [...((opts.filter as string[] | undefined) ?? [])];
    if (typeof opts.operations === 'string') {
      const names = opts.operations.split(',').map((o) => {
        const n = OPERATIONS[o.trim().toLowerCase()];
        if (!n)
          throw new CliError(`unknown operation "${o}" in --operations: use insert, update and delete.`);
        return n;
      });
      filters.push(JSON.stringify({ eventName: names }));
    }
    const integer = (name: string, v: unknown) => {
      if (v === undefined) return undefined;
      if (!/^-?\d+$/.test(String(v))) throw new CliError(`--${name} expects a whole number.`);
      return Number(v);
    };
    const retries = integer('retries', opts.retries);
    const maxAge = integer('max-record-age', opts.maxRecordAge);
    const onFailure = typeof opts.onFailure === 'string' ? opts.onFailure : undefined;
    const destination =
      onFailure === undefined
        ? undefined
        : onFailure.startsWith('arn:')
          ? onFailure
          : `arn:aws:sqs:${target.region}:${target.accountId}:${onFailure}`;
    const m = await client.createEventSourceMapping({
      FunctionName: target.name,
      EventSourceArn: `arn:nimbus:postgres:${target.region}:${target.accountId}:db/${database}/table/${tables.join(',')}`,
      SelfManagedEventSource: { Endpoints: { POSTGRES_URL: [url] } },
      StartingPosition: opts.startingPosition ?? 'LATEST',
      ...commonMappingMembers({ ...opts, filter: filters }),
      ...(retries !== undefined ? { MaximumRetryAttempts: retries } : {}),
      ...(maxAge !== undefined ? { MaximumRecordAgeInSeconds: maxAge } : {}),
      ...(opts.bisect ? { BisectBatchOnFunctionError: true } : {}),
      ...(destination ? { DestinationConfig: { OnFailure: { Destination: destination } } } : {}),
    });
    return `Added trigger ${m.UUID}: postgres ${database} ${tables.join(', ')} → ${target.name} (batch size ${m.BatchSize ?? '-'}, ${m.State})`;
  },
};
