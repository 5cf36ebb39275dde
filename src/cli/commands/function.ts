import type { Command } from 'commander';
import { addFunctionDeleteCommand } from './function-delete.js';
import { addFunctionDeployCommand } from './function-deploy.js';
import { addFunctionGetCommand } from './function-get.js';
import { addFunctionListCommand } from './function-list.js';
import { addInvokeCommand } from './invoke.js';
import { addLogsCommand } from './logs.js';

/** `nimbus function <verb>` (alias `fn`). `invoke` and `logs` are also top-level shortcuts. */
export function addFunctionCommands(program: Command): void {
  const fn = program.command('function').alias('fn').description('deploy, inspect and delete functions');
  addFunctionDeployCommand(fn);
  addFunctionListCommand(fn);
  addFunctionGetCommand(fn);
  addFunctionDeleteCommand(fn);
  addInvokeCommand(fn);
  addLogsCommand(fn);
}
