import type { Command } from 'commander';
import { clientFor, out, withEndpoint } from '../command-context.js';

export function addFunctionDeleteCommand(parent: Command): void {
  const cmd = parent
    .command('delete')
    .alias('rm')
    .description('delete a function, its code and its warm sandboxes')
    .argument('<name>', 'function name or ARN');
  withEndpoint(cmd);
  cmd.action(async (name: string, _opts: unknown, command: Command) => {
    await clientFor(command).deleteFunction(name);
    out(`Deleted function ${name}\n`);
  });
}
