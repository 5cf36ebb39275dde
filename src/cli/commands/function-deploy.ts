import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import type { NimbusClient } from '../api-client.js';
import type { FunctionConfiguration, UpdateFunctionConfigurationRequest } from '../api-types.js';
import { type CodePackage, handlerModuleFiles, loadCodePackage } from '../code-package.js';
import { clientFor, note, out, printJson, progress, withEndpoint, withJson } from '../command-context.js';
import { CliError } from '../errors.js';
import { collectEnv, positiveInteger } from '../option-parsers.js';
import { formatBytes } from '../output/format.js';
import { renderFields } from '../output/table.js';

export const DEFAULT_HANDLER = 'index.handler';
export const DEFAULT_RUNTIME = 'nodejs20.x';
/**
 * Nimbus checks the execution role for shape only (it has no IAM), so the CLI sends a fixed
 * placeholder in the throwaway account `000000000000`.
 */
export const PLACEHOLDER_ROLE = 'arn:aws:iam::000000000000:role/nimbus-function';
const FUNCTION_NAME = /^[a-zA-Z0-9-_]{1,64}$/;
/** Dependency installs can take minutes. */
const READY_TIMEOUT_MS = 15 * 60_000;
const READY_POLL_MS = 500;

interface DeployOptions {
  name: string;
  handler?: string;
  runtime?: string;
  timeout?: number;
  memory?: number;
  env?: Record<string, string>;
  description?: string;
  json?: boolean;
}

/** What the user asked for; undefined members keep the function's current value. */
export interface DesiredConfiguration {
  handler?: string;
  runtime?: string;
  timeout?: number;
  memory?: number;
  env?: Record<string, string>;
  description?: string;
}

export function addFunctionDeployCommand(parent: Command): void {
  const cmd = parent
    .command('deploy')
    .description(
      'create a function from a folder or .zip, or update the code and configuration of an existing one',
    )
    .argument('<path>', 'folder with the code (nimbus zips it) or a .zip deployment package')
    .requiredOption('--name <name>', 'function name')
    .option('--handler <handler>', `file.export to call (a new function gets ${DEFAULT_HANDLER})`)
    .option('--runtime <runtime>', `runtime identifier (a new function gets ${DEFAULT_RUNTIME})`)
    .option('--timeout <seconds>', 'maximum run time of one invocation, 1-900 s', positiveInteger)
    .option('--memory <mb>', 'memory size in MB, 128-10240', positiveInteger)
    .option(
      '--env <KEY=VALUE>',
      'environment variable, repeatable; when given, these become all of the function’s variables',
      collectEnv,
    )
    .option('--description <text>', 'description of the function');
  withJson(cmd);
  withEndpoint(cmd);
  cmd.action(async (path: string, opts: DeployOptions, command: Command) => {
    if (!FUNCTION_NAME.test(opts.name)) {
      throw new CliError(`invalid --name "${opts.name}": use 1-64 letters, digits, hyphens or underscores.`);
    }
    const client = clientFor(command);
    const result = await deploy(client, path, opts);
    if (opts.json) printJson(result.configuration);
    else out(summary(result));
  });
}

interface DeployResult {
  action: 'created' | 'updated' | 'unchanged';
  /** What an update changed: `code` and the configuration members. */
  changes: string[];
  configuration: FunctionConfiguration;
}

async function deploy(client: NimbusClient, path: string, opts: DeployOptions): Promise<DeployResult> {
  progress(`Packaging ${path} ...`);
  const pkg = await loadCodePackage(path);
  progress(
    pkg.files
      ? `Packaged ${pkg.files.length} file${pkg.files.length === 1 ? '' : 's'} into a ${formatBytes(pkg.zip.length)} zip`
      : `Read ${formatBytes(pkg.zip.length)} zip`,
  );
  const desired: DesiredConfiguration = {
    ...defined({ handler: opts.handler, runtime: opts.runtime, timeout: opts.timeout }),
    ...defined({ memory: opts.memory, env: opts.env, description: opts.description }),
  };
  const existing = await client.findFunction(opts.name);
  const runtime = desired.runtime ?? existing?.Configuration.Runtime ?? DEFAULT_RUNTIME;
  warnIfHandlerMissing(pkg, desired.handler ?? existing?.Configuration.Handler ?? DEFAULT_HANDLER, runtime);

  if (!existing) {
    progress(`Uploading ${formatBytes(pkg.zip.length)} to ${client.endpoint} ...`);
    const created = await client.createFunction({
      FunctionName: opts.name,
      Runtime: runtime,
      Handler: desired.handler ?? DEFAULT_HANDLER,
      Role: PLACEHOLDER_ROLE,
      Code: { ZipFile: pkg.zip.toString('base64') },
      ...defined({ Timeout: desired.timeout, MemorySize: desired.memory, Description: desired.description }),
      ...(desired.env ? { Environment: { Variables: desired.env } } : {}),
    });
    return { action: 'created', changes: [], configuration: await settle(client, opts.name, created) };
  }

  let current = existing.Configuration;
  const changes: string[] = [];
  if (current.CodeSha256 !== pkg.sha256) {
    progress(`Uploading ${formatBytes(pkg.zip.length)} to ${client.endpoint} ...`);
    const updated = await client.updateFunctionCode(opts.name, {
      ZipFile: pkg.zip.toString('base64'),
      ...defined({ RevisionId: current.RevisionId }),
    });
    current = await settle(client, opts.name, updated);
    changes.push('code');
  }
  const patch = configurationChanges(current, desired);
  if (patch) {
    progress('Updating the configuration ...');
    const updated = await client.updateFunctionConfiguration(opts.name, {
      ...patch,
      ...defined({ RevisionId: current.RevisionId }),
    });
    current = await settle(client, opts.name, updated);
    changes.push(...Object.keys(patch));
  }
  return { action: changes.length > 0 ? 'updated' : 'unchanged', changes, configuration: current };
}

/** The UpdateFunctionConfiguration members that differ from what is deployed, or undefined. */
export function configurationChanges(
  current: FunctionConfiguration,
  desired: DesiredConfiguration,
): UpdateFunctionConfigurationRequest | undefined {
  const patch: UpdateFunctionConfigurationRequest = {};
  if (desired.handler !== undefined && desired.handler !== current.Handler) patch.Handler = desired.handler;
  if (desired.runtime !== undefined && desired.runtime !== current.Runtime) patch.Runtime = desired.runtime;
  if (desired.timeout !== undefined && desired.timeout !== current.Timeout) patch.Timeout = desired.timeout;
  if (desired.memory !== undefined && desired.memory !== current.MemorySize)
    patch.MemorySize = desired.memory;
  if (desired.description !== undefined && desired.description !== (current.Description ?? '')) {
    patch.Description = desired.description;
  }
  if (desired.env !== undefined && !sameVariables(desired.env, current.Environment?.Variables ?? {})) {
    patch.Environment = { Variables: desired.env };
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}

function sameVariables(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
}

/**
 * Waits while the function is `Pending` or its last update `InProgress` (Nimbus reports `Active`
 * and `Successful` at once; AWS-like servers may not), so the next update does not hit a 409.
 */
async function settle(
  client: NimbusClient,
  name: string,
  config: FunctionConfiguration,
): Promise<FunctionConfiguration> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let current = config;
  let waiting = false;
  let logAfter: number | undefined;
  const showBuildLog = async (always: boolean) => {
    // The build log (npm, esbuild, pip output) as it grows; on a failure it is shown in any case.
    const build = await client.buildStatus(name, logAfter).catch(() => undefined);
    if (!build) return;
    for (const l of build.log) {
      if (always) note(`  ${l.message}`);
      else progress(`  ${l.message}`);
    }
    logAfter = build.nextAfterId;
  };
  while (current.State === 'Pending' || current.LastUpdateStatus === 'InProgress') {
    if (Date.now() > deadline) {
      throw new CliError(
        `function ${name} is still ${current.State === 'Pending' ? 'Pending' : 'updating'} after ` +
          `${READY_TIMEOUT_MS / 1000} s. Check it with \`nimbus function get ${name}\`.`,
      );
    }
    if (!waiting) progress(`Building ${name} (installing dependencies / transpiling) ...`);
    waiting = true;
    await sleep(READY_POLL_MS);
    await showBuildLog(false);
    current = (await client.getFunction(name)).Configuration;
  }
  if (current.State === 'Failed' || current.LastUpdateStatus === 'Failed') {
    logAfter = undefined;
    await showBuildLog(true);
    const reason = current.LastUpdateStatusReason ?? current.StateReason ?? 'no reason given';
    throw new CliError(`function ${name} failed to deploy: ${reason}`);
  }
  return current;
}

function warnIfHandlerMissing(pkg: CodePackage, handler: string, runtime: string): void {
  if (!pkg.files || !runtime.startsWith('nodejs')) return;
  const candidates = handlerModuleFiles(handler);
  const files = new Set(pkg.files);
  if (candidates.some((f) => files.has(f))) return;
  note(
    `nimbus: warning: handler ${handler} needs one of ${candidates.join(', ')} in the package, and none is ` +
      'there; invocations will fail with Runtime.ImportModuleError. Pass --handler file.export to fix it.',
  );
}

function summary(r: DeployResult): string {
  const c = r.configuration;
  const headline =
    r.action === 'created'
      ? `Created function ${c.FunctionName}`
      : r.action === 'updated'
        ? `Updated function ${c.FunctionName} (${r.changes.join(', ')})`
        : `Function ${c.FunctionName} is up to date (no code or configuration changes)`;
  return `${headline}\n${renderFields([
    ['name', c.FunctionName],
    ['runtime', c.Runtime],
    ['handler', c.Handler],
    ['code size', formatBytes(c.CodeSize)],
    ['code sha256', c.CodeSha256],
    ['state', c.State],
  ])}`;
}

/** Drops undefined members so optional request members stay absent. */
function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
