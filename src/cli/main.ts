import { Command } from 'commander';
import { NIMBUS_VERSION } from '../main/paths.js';
import { addBucketCommands } from './commands/bucket.js';
import { addEventsCommands } from './commands/events.js';
import { addFunctionCommands } from './commands/function.js';
import { addInvokeCommand } from './commands/invoke.js';
import { addLogsCommand } from './commands/logs.js';
import { addObjectCommands } from './commands/object.js';
import { addRouteCommands } from './commands/route.js';
import { addScheduleCommands } from './commands/schedule.js';
import { addStatusCommand } from './commands/status.js';
import { addTriggerCommands } from './commands/trigger.js';
import { addUsageCommand } from './commands/usage.js';
import { addAliasCommands, addVersionCommands } from './commands/version.js';
import { reportError } from './errors.js';
import { addServeCommand } from './serve-command.js';

const program = new Command('nimbus')
  .description('Nimbus: self-hosted serverless functions that speak the AWS Lambda API')
  .version(NIMBUS_VERSION)
  // Set before the subcommands are added, which inherit both: usage errors throw (exit code 2).
  .exitOverride()
  .showHelpAfterError('(add --help for usage)');

addServeCommand(program);
addFunctionCommands(program);
addInvokeCommand(program);
addLogsCommand(program);
addEventsCommands(program);
addUsageCommand(program);
addStatusCommand(program);
addVersionCommands(program);
addAliasCommands(program);
addTriggerCommands(program);
addScheduleCommands(program);
addRouteCommands(program);
addBucketCommands(program);
addObjectCommands(program);

// `nimbus fn ls | head -1`: a closed pipe ends the output, not the process with a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(process.exitCode ?? 0);
});

try {
  await program.parseAsync(process.argv);
} catch (e) {
  process.exitCode = reportError(e, process.stderr, process.env.NIMBUS_DEBUG === '1');
}
