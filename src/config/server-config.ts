import { totalmem } from 'node:os';
import { z } from 'zod';
import { AWS_DEFAULT_ACCOUNT_CONCURRENCY, MEMORY_MIN_MB } from '../domain/limits.js';

/**
 * Server configuration: one schema, defaults declared once, filled from flags, then environment
 * (`NIMBUS_*`), then these defaults.
 */
export const ServerConfigSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65_535).default(9000),
  dataDir: z.string().min(1).default('./.nimbus'),
  /**
   * The install's secret (seals environment variables at rest, derives functions' credentials,
   * signs code links); `<data-dir>/secret` when unset. Keep it outside the data dir so that a copy
   * of the data dir (a backup) does not carry the key that opens its sealed values.
   */
  keyFile: z.string().min(1).optional(),
  region: z
    .string()
    .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/)
    .default('us-east-1'),
  accountId: z
    .string()
    .regex(/^\d{12}$/)
    .default('000000000000'),
  /** Account-wide concurrent executions; by default what the host's memory holds at 128 MB each. */
  concurrency: z.coerce.number().int().min(1).max(100_000).optional(),
  /** Seconds an idle sandbox stays warm before it is stopped (the keep-alive's fixed part). */
  idleTimeoutSeconds: z.coerce.number().min(1).max(86_400).default(300),
  /** `adaptive`: per-function keep-alive learned from idle times (ATC'20); `fixed`: always the idle timeout. */
  keepAlive: z.enum(['adaptive', 'fixed']).default('adaptive'),
  /** `auto` uses bubblewrap when it works on the host, else plain processes. */
  isolation: z.enum(['auto', 'bwrap', 'process']).default('auto'),
  /** Pre-started generic runtimes (zygotes) kept ready for cold starts; 0 turns them off. */
  prestart: z.coerce.number().int().min(0).max(64).default(2),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /**
   * The access key clients sign requests with (SigV4). Required when listening beyond loopback;
   * on loopback without a key, requests are accepted signed or not.
   */
  accessKeyId: z
    .string()
    .regex(/^[A-Z0-9]{16,128}$/, 'an access key id is 16 to 128 upper-case letters and digits')
    .optional(),
  secretAccessKey: z.string().min(16).max(128).optional(),
  /**
   * Prices (USD) the usage API and `nimbus usage` estimate costs with; AWS's published us-east-1
   * list prices when unset (observability/pricing.ts).
   */
  pricePerRequest: z.coerce.number().nonnegative().max(1).optional(),
  pricePerGbSecond: z.coerce.number().nonnegative().max(1).optional(),
  pricePerGbSecondArm: z.coerce.number().nonnegative().max(1).optional(),
  /**
   * Multiplies every wait of asynchronous invocation (retry delays, backoff, the maximum event
   * age), so tests and demos do not wait minutes: 0.001 turns Lambda's 1 minute into 60 ms.
   */
  asyncDelayScale: z.coerce.number().positive().max(1000).default(1),
  /**
   * What an accepted asynchronous event survives before its 202 is sent. `process` (the default)
   * survives any death of the server process, kill -9 included: the WAL write has reached the
   * kernel (synchronous=NORMAL). `power` also survives a power cut or kernel panic: an fsync per
   * group commit of accepted events (synchronous=FULL); attempt outcomes stay at `process` (one
   * lost to a power cut makes its event run again, which at-least-once allows). Measured on the development VM, store alone: 13.9k vs 0.75k
   * events/s for one writer, 13.8k vs 6.4k for 32 concurrent writers (group commit amortises the
   * fsync). Lambda's promise, and the issue's, is about the process dying, so `process` is the
   * default and `power` is one flag away for hosts where a power cut is the risk.
   */
  asyncDurability: z.enum(['process', 'power']).default('process'),
});

export type ServerConfigInput = z.input<typeof ServerConfigSchema>;
export type ServerConfig = z.output<typeof ServerConfigSchema> & { concurrency: number };

const ENV_KEYS: Record<string, keyof ServerConfigInput> = {
  NIMBUS_HOST: 'host',
  NIMBUS_PORT: 'port',
  NIMBUS_DATA_DIR: 'dataDir',
  NIMBUS_KEY_FILE: 'keyFile',
  NIMBUS_REGION: 'region',
  NIMBUS_ACCOUNT_ID: 'accountId',
  NIMBUS_CONCURRENCY: 'concurrency',
  NIMBUS_IDLE_TIMEOUT: 'idleTimeoutSeconds',
  NIMBUS_KEEP_ALIVE: 'keepAlive',
  NIMBUS_ISOLATION: 'isolation',
  NIMBUS_PRESTART: 'prestart',
  NIMBUS_LOG_LEVEL: 'logLevel',
  NIMBUS_ACCESS_KEY_ID: 'accessKeyId',
  NIMBUS_SECRET_ACCESS_KEY: 'secretAccessKey',
  NIMBUS_PRICE_PER_REQUEST: 'pricePerRequest',
  NIMBUS_PRICE_PER_GB_SECOND: 'pricePerGbSecond',
  NIMBUS_PRICE_PER_GB_SECOND_ARM: 'pricePerGbSecondArm',
  NIMBUS_ASYNC_DELAY_SCALE: 'asyncDelayScale',
  NIMBUS_ASYNC_DURABILITY: 'asyncDurability',
};

/** Flags win over environment variables, which win over defaults. */
export function resolveServerConfig(
  flags: Partial<ServerConfigInput>,
  env: NodeJS.ProcessEnv = process.env,
): ServerConfig {
  const fromEnv: Record<string, string> = {};
  for (const [envKey, key] of Object.entries(ENV_KEYS)) {
    const v = env[envKey];
    if (v !== undefined && v !== '') fromEnv[key] = v;
  }
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const parsed = ServerConfigSchema.parse({ ...fromEnv, ...defined });
  if ((parsed.accessKeyId === undefined) !== (parsed.secretAccessKey === undefined)) {
    throw new ConfigError('set both NIMBUS_ACCESS_KEY_ID and NIMBUS_SECRET_ACCESS_KEY, or neither');
  }
  if (!isLoopback(parsed.host) && parsed.accessKeyId === undefined) {
    throw new ConfigError(
      `listening on ${parsed.host} (beyond loopback) requires credentials: set NIMBUS_ACCESS_KEY_ID and NIMBUS_SECRET_ACCESS_KEY (or --access-key-id/--secret-access-key)`,
    );
  }
  return { ...parsed, concurrency: parsed.concurrency ?? defaultConcurrency() };
}

/** A configuration the server cannot start with; the message says how to fix it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Three quarters of the host's memory in 128 MB sandboxes, capped at AWS's default of 1,000. */
export function defaultConcurrency(): number {
  const bySize = Math.floor((totalmem() * 0.75) / (MEMORY_MIN_MB * 1_048_576));
  return Math.max(1, Math.min(AWS_DEFAULT_ACCOUNT_CONCURRENCY, bySize));
}
