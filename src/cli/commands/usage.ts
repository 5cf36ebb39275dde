import { type Command, Option } from 'commander';
import { AWS_LIST_PRICES } from '../../observability/pricing.js';
import type { UsageGrouping, UsageQuery, UsageResponse, UsageRow } from '../api-types.js';
import { clientFor, note, out, printJson, withEndpoint, withJson } from '../command-context.js';
import { formatAmount, formatCount, formatLocalIso, formatUsd } from '../output/format.js';
import { type Column, renderTable } from '../output/table.js';
import { parseSince } from '../since.js';

interface UsageOptions {
  since?: string;
  by: UsageGrouping;
  function?: string;
  json?: boolean;
}

/** A table line: a usage row, or the total. */
interface Line {
  label: string;
  period: string;
  architecture: string;
  requests: number;
  errors: number;
  coldStarts: number;
  gbSeconds: number;
  cost: number;
}

export function addUsageCommand(program: Command): void {
  const cmd = program
    .command('usage')
    .description('show metered usage and what it would cost on AWS Lambda')
    .option('--since <time>', 'only invocations since a duration ago (24h, 7d) or an ISO date/time')
    .addOption(
      new Option('--by <grouping>', 'one row per function (all), or per function and UTC day or hour')
        .choices(['all', 'day', 'hour'])
        .default('all'),
    )
    .option('--function <name>', 'only this function');
  withJson(cmd);
  withEndpoint(cmd);
  cmd.action(async (opts: UsageOptions, command: Command) => {
    const client = clientFor(command);
    const query: UsageQuery = { by: opts.by };
    if (opts.since !== undefined) query.since = parseSince(opts.since);
    if (opts.function !== undefined) query.function = opts.function;
    const usage = await client.usage(query);
    if (opts.json) {
      printJson(usage);
      return;
    }
    const range =
      query.since === undefined ? 'all recorded invocations' : `since ${formatLocalIso(query.since)}`;
    if (usage.rows.length === 0) {
      note(`No invocations recorded${opts.function ? ` for ${opts.function}` : ''} (${range}).`);
      return;
    }
    out(renderUsage(usage, opts.by));
    out(`\n${footer(usage, range)}`);
  });
}

export function renderUsage(usage: UsageResponse, by: UsageGrouping): string {
  const lines: Line[] = usage.rows.map((r) => ({
    label: r.functionName,
    period: formatPeriod(r, by),
    architecture: r.architecture,
    requests: r.requests,
    errors: r.errors,
    coldStarts: r.coldStarts,
    gbSeconds: r.gbSeconds,
    cost: r.cost,
  }));
  if (lines.length > 1) {
    lines.push({
      label: 'TOTAL',
      period: '',
      architecture: '',
      ...usage.total,
      coldStarts: usage.rows.reduce((n, r) => n + r.coldStarts, 0),
    });
  }
  const columns: Column<Line>[] = [{ header: 'FUNCTION', value: (l) => l.label }];
  if (by !== 'all')
    columns.push({ header: by === 'day' ? 'DAY (UTC)' : 'HOUR (UTC)', value: (l) => l.period });
  if (usage.rows.some((r) => r.architecture !== 'x86_64')) {
    columns.push({ header: 'ARCH', value: (l) => l.architecture });
  }
  columns.push(
    { header: 'REQUESTS', value: (l) => formatCount(l.requests), align: 'right' },
    { header: 'ERRORS', value: (l) => formatCount(l.errors), align: 'right' },
    { header: 'COLD STARTS', value: (l) => formatCount(l.coldStarts), align: 'right' },
    { header: 'GB-SECONDS', value: (l) => formatAmount(l.gbSeconds), align: 'right' },
    { header: 'EST. COST', value: (l) => formatUsd(l.cost), align: 'right' },
  );
  return renderTable(columns, lines);
}

function footer(usage: UsageResponse, range: string): string {
  const p = usage.prices;
  const arm = usage.rows.some((r) => r.architecture === 'arm64')
    ? `, arm64 at $${p.perGbSecondArm} per GB-second`
    : '';
  return (
    `Estimated cost in ${usage.currency} at ${isAwsListPrice(p) ? 'AWS Lambda list prices' : "the server's configured prices"} for x86_64: ` +
    `$${(p.perRequest * 1e6).toFixed(2)} per 1M requests + $${p.perGbSecondX86} per GB-second${arm}. ` +
    'The free tier is not applied.\n' +
    `Covers ${range}.\n`
  );
}

const isAwsListPrice = (p: UsageResponse['prices']) =>
  p.perRequest === AWS_LIST_PRICES.perRequest &&
  p.perGbSecondX86 === AWS_LIST_PRICES.perGbSecondX86 &&
  p.perGbSecondArm === AWS_LIST_PRICES.perGbSecondArm;

/** The UTC period a row covers (the server buckets by UTC day or hour). */
function formatPeriod(row: UsageRow, by: UsageGrouping): string {
  if (row.period === undefined || by === 'all') return '';
  const iso = new Date(row.period).toISOString();
  return by === 'day' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}
