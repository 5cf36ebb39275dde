import { Command } from 'commander';
import { NIMBUS_VERSION } from '../main/paths.js';
import { addServeCommand } from './serve-command.js';

const program = new Command('nimbus')
  .description('Nimbus: self-hosted serverless functions that speak the AWS Lambda API')
  .version(NIMBUS_VERSION);

addServeCommand(program);

await program.parseAsync(process.argv);
