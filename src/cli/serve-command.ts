import type { Command } from 'commander';
import { resolveServerConfig } from '../config/server-config.js';
import { startNimbus } from '../main/nimbus.js';

/** `nimbus serve`: runs the server in the foreground until SIGINT/SIGTERM. */
export function addServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start the Nimbus server (embedded SQLite and local disk)')
    .option('--host <host>', 'address to listen on (NIMBUS_HOST)', undefined)
    .option('--port <port>', 'port to listen on; 0 picks a free one (NIMBUS_PORT)', undefined)
    .option('--data-dir <dir>', 'where functions, code and records are kept (NIMBUS_DATA_DIR)', undefined)
    .option('--concurrency <n>', 'account-wide concurrent executions (NIMBUS_CONCURRENCY)', undefined)
    .option(
      '--idle-timeout <seconds>',
      'how long an idle sandbox stays warm (NIMBUS_IDLE_TIMEOUT)',
      undefined,
    )
    .option('--log-level <level>', 'server log level (NIMBUS_LOG_LEVEL)', undefined)
    .action(async (opts: Record<string, string | undefined>) => {
      const config = resolveServerConfig({
        host: opts.host,
        port: opts.port,
        dataDir: opts.dataDir,
        concurrency: opts.concurrency,
        idleTimeoutSeconds: opts.idleTimeout,
        logLevel: opts.logLevel as never,
      });
      const nimbus = await startNimbus(config);
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) {
          process.stderr.write(`nimbus: ${signal} again, exiting now\n`);
          process.exit(130);
        }
        stopping = true;
        nimbus.close().then(
          () => process.exit(0),
          (e: unknown) => {
            process.stderr.write(`nimbus: shutdown failed: ${String(e)}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
