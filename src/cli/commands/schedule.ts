import type { Command } from 'commander';
import type { NimbusClient } from '../api-client.js';
import { clientFor, note, out, printJson, withEndpoint, withJson } from '../command-context.js';
import { CliError } from '../errors.js';
import { type Column, renderTable } from '../output/table.js';
import { SchedulerApiClient, type ScheduleView } from '../scheduler-client.js';

/** `nimbus schedule add|list|delete`: run functions on cron, rate and at() schedules. */
export function addScheduleCommands(program: Command): void {
  const schedule = program
    .command('schedule')
    .description('run functions on a schedule (EventBridge Scheduler cron, rate and at expressions)');
  addScheduleAdd(schedule);
  addScheduleList(schedule);
  addScheduleDelete(schedule);
}

/** The function's ARN and account, as the server names it. */
export async function functionTarget(client: NimbusClient, fn: string) {
  const f = await client.getFunction(fn);
  const arn = f.Configuration.FunctionArn;
  return { name: f.Configuration.FunctionName, arn, accountId: arn.split(':')[4] ?? '000000000000' };
}

/** Checks `--input` locally: a Lambda target's Input must be JSON. */
export function jsonInput(input: unknown): string | undefined {
  if (input === undefined) return undefined;
  const text = String(input);
  try {
    JSON.parse(text);
  } catch {
    throw new CliError(`--input must be JSON (the event the function receives), got: ${text}`);
  }
  return text;
}

function addScheduleAdd(parent: Command): void {
  const cmd = parent
    .command('add')
    .description('invoke a function on a schedule, asynchronously, with the scheduled event')
    .argument('<function>', 'function name or ARN')
    .requiredOption(
      '--expression <expr>',
      'rate(5 minutes), cron(0 9 ? * MON-FRI *) or at(2030-01-01T09:00:00)',
    )
    .option('--name <name>', 'schedule name (default: <function>-<n>)')
    .option('--timezone <zone>', 'IANA time zone the expression is read in (default UTC), e.g. Europe/Paris')
    .option('--input <json>', 'the event the function receives instead of the scheduled event')
    .option('--disabled', 'create the schedule disabled');
  withEndpoint(cmd);
  cmd.action(async (fn: string, opts: Record<string, unknown>, command: Command) => {
    const client = clientFor(command);
    const target = await functionTarget(client, fn);
    const scheduler = new SchedulerApiClient(client);
    const name = opts.name === undefined ? await freeName(scheduler, target.name) : String(opts.name);
    const arn = await scheduler.create({
      name,
      functionArn: target.arn,
      accountId: target.accountId,
      expression: String(opts.expression),
      timezone: opts.timezone as string | undefined,
      input: jsonInput(opts.input),
      disabled: opts.disabled === true,
    });
    out(`Created schedule ${name} (${arn}): ${target.name} runs on ${String(opts.expression)}\n`);
  });
}

async function freeName(scheduler: SchedulerApiClient, fn: string): Promise<string> {
  const taken = new Set((await scheduler.list()).map((s) => s.Name));
  for (let n = 1; ; n++) {
    // Shorten the function's name, never the suffix, so that a 64-character name still counts up.
    const suffix = `-${n}`;
    const name = `${fn.slice(0, 64 - suffix.length)}${suffix}`;
    if (!taken.has(name)) return name;
  }
}

const when = (epochSeconds: number | undefined) =>
  epochSeconds === undefined ? '-' : new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z');

const COLUMNS: Column<ScheduleView>[] = [
  { header: 'NAME', value: (s) => s.Name },
  { header: 'FUNCTION', value: (s) => s.Target.Arn.split(':')[6] ?? s.Target.Arn },
  {
    header: 'EXPRESSION',
    value: (s) =>
      `${s.ScheduleExpression}${s.ScheduleExpressionTimezone && s.ScheduleExpressionTimezone !== 'UTC' ? ` ${s.ScheduleExpressionTimezone}` : ''}`,
  },
  { header: 'STATE', value: (s) => s.State },
  { header: 'NEXT', value: (s) => when(s.Status?.NextFiring) },
  { header: 'LAST ERROR', value: (s) => s.Status?.LastError ?? '-' },
];

function addScheduleList(parent: Command): void {
  const cmd = parent
    .command('list')
    .alias('ls')
    .description('list schedules (of one function) with their next firing')
    .argument('[function]', 'only the schedules of this function');
  withJson(cmd);
  withEndpoint(cmd);
  cmd.action(async (fn: string | undefined, opts: { json?: boolean }, command: Command) => {
    const client = clientFor(command);
    const name = fn === undefined ? undefined : (await client.getFunction(fn)).Configuration.FunctionName;
    const schedules = await new SchedulerApiClient(client).list(name);
    if (opts.json) return printJson({ Schedules: schedules });
    if (schedules.length === 0) {
      note(
        `No schedules${name ? ` for ${name}` : ''}. Add one with \`nimbus schedule add ${name ?? '<function>'} --expression "rate(5 minutes)"\`.`,
      );
      return;
    }
    out(renderTable(COLUMNS, schedules));
  });
}

function addScheduleDelete(parent: Command): void {
  const cmd = parent
    .command('delete')
    .alias('rm')
    .description('delete a schedule')
    .argument('<name>', 'schedule name');
  withEndpoint(cmd);
  cmd.action(async (name: string, _opts: unknown, command: Command) => {
    await new SchedulerApiClient(clientFor(command)).delete(name);
    out(`Deleted schedule ${name}\n`);
  });
}
