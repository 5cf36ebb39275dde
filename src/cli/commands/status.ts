import type { Command } from 'commander';
import type { SandboxStats, ServerStatus } from '../api-types.js';
import { clientFor, out, printJson, withEndpoint, withJson } from '../command-context.js';
import { renderFields } from '../output/table.js';

export function addStatusCommand(program: Command): void {
  const cmd = program
    .command('status')
    .description('show the server: version, isolation, load and sandboxes');
  withJson(cmd);
  withEndpoint(cmd);
  cmd.action(async (opts: { json?: boolean }, command: Command) => {
    const client = clientFor(command);
    const status = await client.status();
    if (opts.json) printJson(status);
    else out(describeStatus(client.endpoint, status));
  });
}

function describeStatus(endpoint: string, s: ServerStatus): string {
  const c = s.concurrency;
  const x = s.sandboxes.executor;
  const sb = s.sandboxing;
  return renderFields([
    ['Endpoint', endpoint],
    ['Version', s.version],
    ['Isolation', sb ? `${sb.isolation}, limits ${sb.limits}, keep-alive ${sb.keepAlive}` : s.isolation],
    ['Functions', String(s.functions)],
    [
      'Concurrency',
      `${c.inFlight} in flight, limit ${c.limit}` +
        (c.unreserved !== undefined ? ` (${c.unreserved} unreserved)` : '') +
        (c.throttles !== undefined ? `, ${c.throttles} throttled` : ''),
    ],
    ['Sandboxes', describeSandboxes(s.sandboxes)],
    ['Starts', describeStarts(s.sandboxes)],
    [
      'Pre-started',
      x && sb
        ? `${x.zygotesReady} of ${sb.prestart} ready, ${x.zygoteStarts} cold start${x.zygoteStarts === 1 ? '' : 's'} served by one`
        : undefined,
    ],
  ]);
}

/** `3 (2 idle, 1 busy, 0 starting, 1 provisioned)` */
export function describeSandboxes(s: SandboxStats): string {
  const provisioned = s.provisionedTarget ? `, ${s.provisioned ?? 0}/${s.provisionedTarget} provisioned` : '';
  const waiting = s.waiting ? `, ${s.waiting} waiting` : '';
  return `${s.sandboxes} (${s.idle} idle, ${s.busy} busy, ${s.starting} starting${provisioned}${waiting})`;
}

/** `12 warm, 3 cold (avg 8.1 ms, max 12.0 ms)` */
export function describeStarts(s: SandboxStats): string | undefined {
  if (s.coldStarts === undefined || s.warmStarts === undefined) return undefined;
  const cold =
    s.coldStarts > 0
      ? ` (Init Duration avg ${(s.coldStartMsAvg ?? 0).toFixed(1)} ms, max ${(s.coldStartMsMax ?? 0).toFixed(1)} ms)`
      : '';
  return `${s.warmStarts} warm, ${s.coldStarts} cold${cold}`;
}
