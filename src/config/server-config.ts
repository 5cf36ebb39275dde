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
  /** Seconds an idle sandbox stays warm before it is stopped. */
  idleTimeoutSeconds: z.coerce.number().min(1).max(86_400).default(300),
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
});

export type ServerConfigInput = z.input<typeof ServerConfigSchema>;
export type ServerConfig = z.output<typeof ServerConfigSchema> & { concurrency: number };

const ENV_KEYS: Record<string, keyof ServerConfigInput> = {
  NIMBUS_HOST: 'host',
  NIMBUS_PORT: 'port',
  NIMBUS_DATA_DIR: 'dataDir',
  NIMBUS_REGION: 'region',
  NIMBUS_ACCOUNT_ID: 'accountId',
  NIMBUS_CONCURRENCY: 'concurrency',
  NIMBUS_IDLE_TIMEOUT: 'idleTimeoutSeconds',
  NIMBUS_LOG_LEVEL: 'logLevel',
  NIMBUS_ACCESS_KEY_ID: 'accessKeyId',
  NIMBUS_SECRET_ACCESS_KEY: 'secretAccessKey',
  NIMBUS_PRICE_PER_REQUEST: 'pricePerRequest',
  NIMBUS_PRICE_PER_GB_SECOND: 'pricePerGbSecond',
  NIMBUS_PRICE_PER_GB_SECOND_ARM: 'pricePerGbSecondArm',
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
