import type { Command } from 'commander';
import type { FunctionConfiguration } from '../api-types.js';
import { clientFor, note, out, printJson, withEndpoint, withJson } from '../command-context.js';
import { formatBytes, formatLocalDateTime, parseLambdaTimestamp } from '../output/format.js';
import { type Column, renderTable } from '../output/table.js';

const COLUMNS: Column<FunctionConfiguration>[] = [
  { header: 'NAME', value: (f) => f.FunctionName },
  { header: 'RUNTIME', value: (f) => f.Runtime ?? '-' },
  { header: 'MEMORY', value: (f) => `${f.MemorySize} MB`, align: 'right' },
  { header: 'TIMEOUT', value: (f) => `${f.Timeout} s`, align: 'right' },
  { header: 'CODE SIZE', value: (f) => formatBytes(f.CodeSize), align: 'right' },
  { header: 'LAST MODIFIED', value: (f) => lastModified(f.LastModified) },
];

export function addFunctionListCommand(parent: Command): void {
  const cmd = parent.command('list').alias('ls').description('list the functions');
  withJson(cmd);
  withEndpoint(cmd);
  cmd.action(async (opts: { json?: boolean }, command: Command) => {
    const functions = await clientFor(command).listAllFunctions();
    if (opts.json) {
      printJson({ Functions: functions });
      return;
    }
    if (functions.length === 0) {
      note('No functions yet. Create one with `nimbus function deploy <folder> --name <name>`.');
      return;
    }
    out(renderTable(COLUMNS, functions));
  });
}

/** Local time; the raw value when it does not parse. */
export function lastModified(value: string): string {
  const t = parseLambdaTimestamp(value);
  return Number.isFinite(t) ? formatLocalDateTime(t) : value;
}
