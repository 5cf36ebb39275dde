import type { Command } from 'commander';
import { CliError } from './errors.js';

/**
 * `nimbus serve`: runs the server in the foreground until SIGINT/SIGTERM. The server modules are
 * loaded only when this command runs, so the client commands start fast and never load SQLite.
 */
export function addServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start the Nimbus server (embedded SQLite and local disk)')
    .option('--host <host>', 'address to listen on (NIMBUS_HOST)', undefined)
    .option('--port <port>', 'port to listen on; 0 picks a free one (NIMBUS_PORT)', undefined)
    .option('--data-dir <dir>', 'where functions, code and records are kept (NIMBUS_DATA_DIR)', undefined)
    .option(
      '--key-file <file>',
      "the install's secret key, created if missing; default <data-dir>/secret (NIMBUS_KEY_FILE)",
      undefined,
    )
    .option('--concurrency <n>', 'account-wide concurrent executions (NIMBUS_CONCURRENCY)', undefined)
    .option(
      '--idle-timeout <seconds>',
      'how long an idle sandbox stays warm (NIMBUS_IDLE_TIMEOUT)',
      undefined,
    )
    .option(
      '--keep-alive <policy>',
      'adaptive (learned per function) or fixed (always the idle timeout) (NIMBUS_KEEP_ALIVE)',
      undefined,
    )
    .option('--isolation <mode>', 'auto, bwrap or process (NIMBUS_ISOLATION)', undefined)
    .option(
      '--prestart <n>',
      'pre-started runtimes kept for cold starts, 0 for none (NIMBUS_PRESTART)',
      undefined,
    )
    .option('--log-level <level>', 'server log level (NIMBUS_LOG_LEVEL)', undefined)
    .option(
      '--access-key-id <id>',
      'require SigV4 requests signed with this key (NIMBUS_ACCESS_KEY_ID)',
      undefined,
    )
    .option('--secret-access-key <secret>', 'its secret (NIMBUS_SECRET_ACCESS_KEY)', undefined)
    .option('--price-per-request <usd>', 'estimated cost per request (NIMBUS_PRICE_PER_REQUEST)', undefined)
    .option(
      '--price-per-gb-second <usd>',
      'estimated cost per GB-second, x86_64 (NIMBUS_PRICE_PER_GB_SECOND)',
      undefined,
    )
    .option(
      '--price-per-gb-second-arm <usd>',
      'estimated cost per GB-second, arm64 (NIMBUS_PRICE_PER_GB_SECOND_ARM)',
      undefined,
    )
    .option(
      '--async-delay-scale <factor>',
      'multiply async retry delays and event ages, e.g. 0.001 for demos (NIMBUS_ASYNC_DELAY_SCALE)',
      undefined,
    )
    .option(
      '--async-durability <level>',
      'accepted async events survive: process (a kill) or power (a power cut) (NIMBUS_ASYNC_DURABILITY)',
      undefined,
    )
    .action(async (opts: Record<string, string | undefined>) => {
      const [{ resolveServerConfig, ConfigError }, { startNimbus }, { ZodError }] = await Promise.all([
        import('../config/server-config.js'),
        import('../main/nimbus.js'),
        import('zod'),
      ]);
      let config: ReturnType<typeof resolveServerConfig>;
      try {
        config = resolveServerConfig({
          host: opts.host,
          port: opts.port,
          dataDir: opts.dataDir,
          keyFile: opts.keyFile,
          concurrency: opts.concurrency,
          idleTimeoutSeconds: opts.idleTimeout,
          keepAlive: opts.keepAlive as never,
          isolation: opts.isolation as never,
          prestart: opts.prestart,
          logLevel: opts.logLevel as never,
          accessKeyId: opts.accessKeyId,
          secretAccessKey: opts.secretAccessKey,
          pricePerRequest: opts.pricePerRequest,
          pricePerGbSecond: opts.pricePerGbSecond,
          pricePerGbSecondArm: opts.pricePerGbSecondArm,
          asyncDelayScale: opts.asyncDelayScale,
          asyncDurability: opts.asyncDurability as never,
        });
      } catch (e) {
        if (e instanceof ConfigError) throw new CliError(`invalid server configuration: ${e.message}`);
        if (!(e instanceof ZodError)) throw e;
        const problems = e.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ');
        throw new CliError(`invalid server configuration (flags or NIMBUS_* variables): ${problems}`);
      }
      const nimbus = await startNimbus(config).catch((e: NodeJS.ErrnoException) => {
        if (e instanceof ConfigError) throw new CliError(`invalid server configuration: ${e.message}`);
        if (e.code !== 'EADDRINUSE') throw e;
        throw new CliError(
          `cannot listen on ${config.host}:${config.port}: the address is in use (is Nimbus already running?). ` +
            'Stop the other process, or pick another port with --port or NIMBUS_PORT.',
        );
      });
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
