import { type Command, InvalidArgumentError, Option } from 'commander';
import type { NimbusClient } from '../api-client.js';
import { clientFor, note, out, printJson, withEndpoint, withJson } from '../command-context.js';
import { CliError } from '../errors.js';
import { positiveInteger } from '../option-parsers.js';
import { type Column, renderTable } from '../output/table.js';
import type { MappingWithStatus } from '../trigger-types.js';
import { TRIGGER_KINDS } from './triggers/index.js';
import type { FunctionTarget, TriggerRow } from './triggers/trigger-kind.js';

/** `nimbus trigger add|list|delete`: what makes a function run besides a direct invoke. */
export function addTriggerCommands(program: Command): void {
  const trigger = program
    .command('trigger')
    .description('connect functions to queues, databases, buckets and schedules');
  addTriggerAdd(trigger);
  addTriggerList(trigger);
  addTriggerDelete(trigger);
}

const nonNegative = (value: string) => {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('Expected a whole number of seconds.');
  return Number(value);
};
const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

function addTriggerAdd(parent: Command): void {
  const cmd = parent
    .command('add')
    .description(
      `run a function for each batch from a source (${TRIGGER_KINDS.map((k) => `--${k.name}`).join(', ')})`,
    )
    .argument('<function>', 'function name or ARN');
  for (const kind of TRIGGER_KINDS) kind.addOptions(cmd);
  cmd.addOption(new Option('--batch-size <n>', 'records per invocation').argParser(positiveInteger));
  cmd.addOption(
    new Option('--batching-window <seconds>', 'wait up to this long to fill a batch').argParser(nonNegative),
  );
  cmd.option('--report-failures', 'the function reports failed items (batchItemFailures)');
  cmd.option('--filter <pattern>', 'EventBridge-style filter pattern (JSON); repeat for several', collect);
  cmd.option('--disabled', 'create the trigger disabled');
  withEndpoint(cmd);
  cmd.action(async (fn: string, opts: Record<string, unknown>, command: Command) => {
    const selected = TRIGGER_KINDS.filter((k) => k.selects(opts));
    if (selected.length !== 1) {
      throw new CliError(
        `say what triggers ${fn}: exactly one of ${TRIGGER_KINDS.map((k) => `--${k.name}`).join(', ')}.`,
      );
    }
    const client = clientFor(command);
    out(`${await selected[0]!.add(client, await targetOf(client, fn), opts)}\n`);
  });
}

async function targetOf(client: NimbusClient, fn: string): Promise<FunctionTarget> {
  const f = await client.getFunction(fn);
  const parts = f.Configuration.FunctionArn.split(':');
  return {
    name: f.Configuration.FunctionName,
    region: parts[3] ?? 'us-east-1',
    accountId: parts[4] ?? '000000000000',
  };
}

const COLUMNS: Column<TriggerRow>[] = [
  { header: 'ID', value: (r) => r.id },
  { header: 'TYPE', value: (r) => r.type },
  { header: 'SOURCE', value: (r) => r.source },
  { header: 'STATE', value: (r) => r.state },
  { header: 'BATCH', value: (r) => r.batch, align: 'right' },
  { header: 'LAG', value: (r) => r.lag },
  { header: 'LAST RESULT', value: (r) => r.result },
];

function addTriggerList(parent: Command): void {
  const cmd = parent
    .command('list')
    .alias('ls')
    .description('list the triggers of a function with their state, lag and last error')
    .argument('<function>', 'function name or ARN');
  withJson(cmd);
  withEndpoint(cmd);
  cmd.action(async (fn: string, opts: { json?: boolean }, command: Command) => {
    const client = clientFor(command);
    const name = (await client.getFunction(fn)).Configuration.FunctionName;
    const mappings = await client.eventSourceMappingStatus(name);
    const others: TriggerRow[] = [];
    for (const kind of TRIGGER_KINDS) if (kind.list) others.push(...(await kind.list(client, name)));
    if (opts.json) {
      printJson({ EventSourceMappings: mappings, Other: others });
      return;
    }
    const rows = [...mappings.map(mappingRow), ...others];
    if (rows.length === 0) {
      note(`No triggers on ${name}. Add one with \`nimbus trigger add ${name} --queue <name>\`.`);
      return;
    }
    out(renderTable(COLUMNS, rows));
  });
}

function mappingRow(m: MappingWithStatus): TriggerRow {
  const arn = m.EventSourceArn ?? '';
  const type = arn.startsWith('arn:aws:sqs:')
    ? 'queue'
    : arn.startsWith('arn:nimbus:postgres:')
      ? 'postgres'
      : 'mapping';
  const source =
    type === 'queue'
      ? arn.slice(arn.lastIndexOf(':') + 1)
      : arn.replace(/^arn:nimbus:postgres:[^:]*:[^:]*:/, '');
  const lastError = m.Status?.LastError;
  const result = m.LastProcessingResult ?? '-';
  return {
    id: m.UUID,
    type,
    source,
    state: m.State,
    batch: m.BatchSize === undefined ? '-' : String(m.BatchSize),
    lag: m.Status?.Lag ?? '-',
    result: result.startsWith('PROBLEM') || !lastError ? result : `${result} (last error: ${lastError})`,
  };
}

function addTriggerDelete(parent: Command): void {
  const cmd = parent
    .command('delete')
    .alias('rm')
    .description('remove a trigger by the ID `nimbus trigger list` shows')
    .argument('<id>', 'an event source mapping UUID, or <bucket>/<id> for a bucket trigger');
  withEndpoint(cmd);
  cmd.action(async (id: string, _opts: unknown, command: Command) => {
    const client = clientFor(command);
    for (const kind of TRIGGER_KINDS) {
      const removed = await kind.remove?.(client, id);
      if (removed) return out(`${removed}\n`);
    }
    const m = await client.deleteEventSourceMapping(id);
    out(`Deleting trigger ${m.UUID} (${m.State})\n`);
  });
}
