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
  return renderFields([
    ['Endpoint', endpoint],
    ['Version', s.version],
    ['Isolation', s.isolation],
    ['Functions', String(s.functions)],
    ['Concurrency', `${s.concurrency.inFlight} in flight, limit ${s.concurrency.limit}`],
    ['Sandboxes', describeSandboxes(s.sandboxes)],
  ]);
}

/** `3 (2 idle, 1 busy, 0 starting)` */
export function describeSandboxes(s: SandboxStats): string {
  return `${s.sandboxes} (${s.idle} idle, ${s.busy} busy, ${s.starting} starting)`;
}
