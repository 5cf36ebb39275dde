import type { Command } from 'commander';
import type { FunctionStatus, GetFunctionResponse } from '../api-types.js';
import { clientFor, out, printJson, withEndpoint, withJson } from '../command-context.js';
import { formatBytes } from '../output/format.js';
import { renderFields } from '../output/table.js';
import { lastModified } from './function-list.js';
import { describeSandboxes, describeStarts } from './status.js';

export function addFunctionGetCommand(parent: Command): void {
  const cmd = parent
    .command('get')
    .description('show a function: configuration, tags and live status')
    .argument('<name>', 'function name or ARN');
  withJson(cmd);
  withEndpoint(cmd);
  cmd.action(async (name: string, opts: { json?: boolean }, command: Command) => {
    const client = clientFor(command);
    const fn = await client.getFunction(name);
    const status = await client.functionStatus(fn.Configuration.FunctionName);
    // `function` is GetFunction's answer and `status` the `/nimbus/v1` live status, both as received.
    if (opts.json) printJson({ function: fn, status });
    else out(describeFunction(fn, status));
  });
}

function describeFunction(fn: GetFunctionResponse, status: FunctionStatus): string {
  const c = fn.Configuration;
  const variables = Object.entries(c.Environment?.Variables ?? {});
  const tags = Object.entries(fn.Tags ?? {});
  const state =
    c.State === undefined
      ? undefined
      : `${c.State}${c.StateReason ? ` (${c.StateReason})` : ''}, last update ${c.LastUpdateStatus ?? 'unknown'}`;
  return renderFields([
    ['Name', c.FunctionName],
    ['ARN', c.FunctionArn],
    ['Description', c.Description || undefined],
    ['Runtime', c.Runtime],
    ['Handler', c.Handler],
    ['Architecture', c.Architectures?.join(', ')],
    ['Memory', `${c.MemorySize} MB`],
    ['Timeout', `${c.Timeout} s`],
    ['Code size', formatBytes(c.CodeSize)],
    ['Code SHA-256', c.CodeSha256],
    ['Last modified', lastModified(c.LastModified)],
    ['Revision', c.RevisionId],
    ['State', state],
    ['Environment', variables.length > 0 ? variables.map(([k, v]) => `${k}=${v}`).join('\n') : undefined],
    ['Tags', tags.length > 0 ? tags.map(([k, v]) => `${k}=${v}`).join('\n') : undefined],
    [
      'Concurrency',
      `${status.inFlight} in flight` +
        (status.reservedConcurrency !== undefined ? `, ${status.reservedConcurrency} reserved` : '') +
        (status.throttles !== undefined ? `, ${status.throttles} throttled` : ''),
    ],
    ['Sandboxes', describeSandboxes(status.sandboxes)],
    ['Starts', describeStarts(status.sandboxes)],
    ['Keep-alive', status.sandboxes.keepAlive ? describeKeepAlive(status.sandboxes.keepAlive) : undefined],
  ]);
}

/** `660 s (learned from 24 idle periods)`, `300 s (fixed, 3 idle periods seen)` */
function describeKeepAlive(k: { ms: number; basis: string; samples: number }): string {
  const seconds = Math.round(k.ms / 1000);
  if (k.basis === 'histogram') return `${seconds} s (learned from ${k.samples} idle periods)`;
  return `${seconds} s (fixed${k.samples > 0 ? `, ${k.samples} idle period${k.samples === 1 ? '' : 's'} seen` : ''})`;
}
