import type { Command } from 'commander';
import type { AsyncEvent } from '../api-types.js';
import { clientFor, note, out, printJson, withEndpoint, withJson } from '../command-context.js';
import { CliError, EXIT_ERROR } from '../errors.js';
import { formatLocalDateTime } from '../output/format.js';
import { type Column, renderTable } from '../output/table.js';

const STATES = ['queued', 'in-flight', 'retrying', 'failed', 'succeeded'] as const;
/** What needs attention: everything but what succeeded (kept for an hour; `--state` shows it). */
const DEFAULT_STATES = ['queued', 'in-flight', 'retrying', 'failed'];
const PAGE_SIZE = 500;
const ERROR_WIDTH = 100;

const COLUMNS: Column<AsyncEvent>[] = [
  { header: 'REQUEST ID', value: (e) => e.requestId },
  { header: 'STATE', value: (e) => e.state },
  { header: 'ATTEMPTS', value: (e) => String(e.attempts), align: 'right' },
  { header: 'ENQUEUED', value: (e) => formatLocalDateTime(e.enqueuedAt) },
  { header: 'NEXT / ENDED', value: when },
  { header: 'LAST ERROR', value: (e) => truncate(e.lastError ?? '', ERROR_WIDTH) },
];

interface ListOptions {
  state?: string;
  limit?: string;
  json?: boolean;
}

/**
 * `nimbus events [list] <name>`: the function's asynchronous events (queued, in flight, waiting for a
 * retry, failed) with attempts and last error; `nimbus events replay <name>` puts failed ones back.
 */
export function addEventsCommands(program: Command): void {
  const group = program
    .command('events')
    .description("a function's asynchronous events: list them (the default) or replay failed ones");
  // `list` is the default subcommand, so `nimbus events <name>` lists; each subcommand has its
  // own --endpoint (an option on the group would swallow the subcommands' one).
  const events = group
    .command('list', { isDefault: true })
    .description("list a function's asynchronous events: queued, in flight, retrying, failed")
    .argument('<name>', 'function name')
    .option('--state <states>', `comma-separated states to list: ${STATES.join(', ')}, or all`)
    .option('--limit <n>', 'list at most n events (default 1000)');
  withJson(events);
  withEndpoint(events);
  events.action(async (name: string, opts: ListOptions, command: Command) => {
    const states = parseStates(opts.state);
    const limit = parseLimit(opts.limit);
    const client = clientFor(command);
    const shown: AsyncEvent[] = [];
    let counts: Record<string, number> = {};
    let after: number | undefined;
    do {
      const page = await client.listEvents(name, {
        state: states.join(','),
        limit: Math.min(PAGE_SIZE, limit - shown.length),
        ...(after === undefined ? {} : { after }),
      });
      shown.push(...page.events);
      counts = page.counts;
      after = page.nextAfter;
    } while (after !== undefined && shown.length < limit);
    if (opts.json) {
      printJson({ events: shown, counts });
      return;
    }
    if (shown.length > 0) out(renderTable(COLUMNS, shown));
    note(summary(name, states, counts, shown.length));
  });

  const replay = group
    .command('replay')
    .description('put failed events back in the queue (attempts and age start over, same request id)')
    .argument('<name>', 'function name')
    .option('--id <requestId...>', 'the failed events to replay')
    .option('--all-failed', 'replay every failed event of the function');
  withEndpoint(replay);
  replay.action(async (name: string, opts: { id?: string[]; allFailed?: boolean }, command: Command) => {
    if ((opts.id === undefined) === (opts.allFailed !== true)) {
      throw new CliError(
        `say which events to replay: --id <requestId...>, or --all-failed (see \`nimbus events ${name} --state failed\`).`,
      );
    }
    const r = await clientFor(command).replayEvents(
      name,
      opts.id ? { requestIds: opts.id } : { allFailed: true },
    );
    for (const id of r.replayed) out(`${id}\n`);
    if (r.replayed.length === 0 && opts.allFailed) note(`No failed events of ${name} to replay.`);
    else note(`Replayed ${r.replayed.length} event(s) of ${name}.`);
    if (r.notReplayed.length > 0) {
      note(`nimbus: not replayed (no such event, or it has not failed): ${r.notReplayed.join(', ')}`);
      process.exitCode = EXIT_ERROR;
    }
  });
}

function parseStates(option: string | undefined): string[] {
  if (option === undefined) return DEFAULT_STATES;
  if (option === 'all') return [...STATES];
  const states = option.split(',').map((s) => s.trim());
  const unknown = states.filter((s) => !(STATES as readonly string[]).includes(s));
  if (unknown.length > 0 || states.length === 0) {
    throw new CliError(
      `unknown state ${unknown.join(', ') || '""'} in --state: use ${STATES.join(', ')} or all.`,
    );
  }
  return states;
}

function parseLimit(option: string | undefined): number {
  if (option === undefined) return 1000;
  const n = Number(option);
  if (!Number.isInteger(n) || n < 1)
    throw new CliError(`--limit must be a positive whole number, got ${option}.`);
  return n;
}

function when(e: AsyncEvent): string {
  if (e.nextAttemptAt !== undefined) return `next ${formatLocalDateTime(e.nextAttemptAt)}`;
  if (e.endedAt !== undefined)
    return `${e.condition === 'Success' ? 'ended' : 'failed'} ${formatLocalDateTime(e.endedAt)}`;
  return '-';
}

function truncate(text: string, width: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
}

/** `fn: 2 failed, 1 retrying. Not listed: 41 succeeded (--state all lists them).` */
function summary(name: string, states: string[], counts: Record<string, number>, shown: number): string {
  const listed = STATES.filter((s) => states.includes(s) && counts[s]);
  const hidden = STATES.filter((s) => !states.includes(s) && counts[s]);
  const total = listed.reduce((n, s) => n + (counts[s] ?? 0), 0);
  const head =
    listed.length > 0
      ? `${name}: ${listed.map((s) => `${counts[s]} ${s}`).join(', ')}.`
      : `No ${states.join(', ')} events for ${name}.`;
  const more = shown < total ? ` ${shown} shown: raise --limit for more.` : '';
  const tail =
    hidden.length > 0
      ? ` Not listed: ${hidden.map((s) => `${counts[s]} ${s}`).join(', ')} (--state all lists them).`
      : '';
  return `${head}${more}${tail}`;
}
