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
  /** Seconds an idle sandbox stays warm before it is stopped (the keep-alive's fixed part). */
  idleTimeoutSeconds: z.coerce.number().min(1).max(86_400).default(300),
  /** `adaptive`: per-function keep-alive learned from idle times (ATC'20); `fixed`: always the idle timeout. */
  keepAlive: z.enum(['adaptive', 'fixed']).default('adaptive'),
  /** `auto` uses bubblewrap when it works on the host, else plain processes. */
  isolation: z.enum(['auto', 'bwrap', 'process']).default('auto'),
  /** Pre-started generic runtimes (zygotes) kept ready for cold starts; 0 turns them off. */
  prestart: z.coerce.number().int().min(0).max(64).default(2),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
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
  NIMBUS_KEEP_ALIVE: 'keepAlive',
  NIMBUS_ISOLATION: 'isolation',
  NIMBUS_PRESTART: 'prestart',
  NIMBUS_LOG_LEVEL: 'logLevel',
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
  return { ...parsed, concurrency: parsed.concurrency ?? defaultConcurrency() };
}

/** Three quarters of the host's memory in 128 MB sandboxes, capped at AWS's default of 1,000. */
export function defaultConcurrency(): number {
  const bySize = Math.floor((totalmem() * 0.75) / (MEMORY_MIN_MB * 1_048_576));
  return Math.max(1, Math.min(AWS_DEFAULT_ACCOUNT_CONCURRENCY, bySize));
}
