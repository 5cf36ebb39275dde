import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import type { NimbusClient } from '../api-client.js';
import type { LogEvent, LogsQuery } from '../api-types.js';
import { clientFor, note, out, withEndpoint } from '../command-context.js';
import { formatLocalIso } from '../output/format.js';
import { parseSince } from '../since.js';

/** Events per request; a full page means there may be more right away. */
const PAGE_SIZE = 1000;
const FOLLOW_POLL_MS = 500;

interface LogsOptions {
  since?: string;
  requestId?: string;
  filter?: string;
  follow?: boolean;
  json?: boolean;
}

export function addLogsCommand(parent: Command): void {
  const cmd = parent
    .command('logs')
    .description("print a function's log events (START/END/REPORT and what the function wrote)")
    .argument('<name>', 'function name')
    .option('--since <time>', 'only events since a duration ago (10m, 1h, 7d) or an ISO date/time')
    .option('--request-id <id>', 'only the events of one invocation')
    .option('--filter <text>', 'only events whose message contains the text')
    .option('-f, --follow', 'keep printing new events (polls every 500 ms) until Ctrl-C')
    .option('--json', 'print each event as one line of JSON, as received');
  withEndpoint(cmd);
  cmd.action(async (name: string, opts: LogsOptions, command: Command) => {
    const client = clientFor(command);
    const print = (e: LogEvent) => out(opts.json ? `${JSON.stringify(e)}\n` : formatEvent(e));
    const printed = await readLogs(client, name, logsQuery(opts), opts.follow === true, print);
    if (printed === 0 && !opts.follow && !opts.json) note(noEvents(name, opts));
  });
}

function logsQuery(opts: LogsOptions): LogsQuery {
  const query: LogsQuery = { limit: PAGE_SIZE };
  if (opts.since !== undefined) query.startTime = parseSince(opts.since);
  if (opts.requestId !== undefined) query.requestId = opts.requestId;
  if (opts.filter !== undefined) query.filter = opts.filter;
  return query;
}

/**
 * Pages through the events after `afterId`; with `follow`, keeps polling until Ctrl-C, which
 * ends it cleanly (exit code 0) instead of killing the process mid-line. Resolves to the count.
 */
async function readLogs(
  client: NimbusClient,
  name: string,
  query: LogsQuery,
  follow: boolean,
  print: (e: LogEvent) => void,
): Promise<number> {
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  if (follow) process.once('SIGINT', onSigint);
  let printed = 0;
  try {
    for (;;) {
      const page = await client.functionLogs(name, query, stop.signal);
      for (const e of page.events) print(e);
      printed += page.events.length;
      query.afterId = page.nextAfterId;
      if (page.events.length >= PAGE_SIZE) continue;
      if (!follow) break;
      await sleep(FOLLOW_POLL_MS, undefined, { signal: stop.signal });
    }
  } catch (e) {
    if (!stop.signal.aborted) throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
  return printed;
}

function noEvents(name: string, opts: LogsOptions): string {
  const conditions = [
    opts.since === undefined ? '' : ` since ${opts.since}`,
    opts.requestId === undefined ? '' : ` for request ${opts.requestId}`,
    opts.filter === undefined ? '' : ` containing "${opts.filter}"`,
  ].join('');
  return `No log events found for ${name}${conditions}.`;
}

/**
 * `<local ISO time> <message>`. The Node.js runtime turns newlines inside one log call into `\r`
 * (so that one call is one event); they are shown as line breaks again.
 */
export function formatEvent(e: LogEvent): string {
  const message = e.message.replace(/\r\n?/g, '\n').replace(/\n+$/, '');
  return `${formatLocalIso(e.timestamp)} ${message}\n`;
}
