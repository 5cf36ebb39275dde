import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { UNZIPPED_MAX_BYTES } from '../../domain/limits.js';
import { runtimeFamily } from '../../domain/runtimes.js';
import type { CodeStore } from '../code-store.js';
import { runTool, type ToolResult } from './run-tool.js';
import { esbuildVersion, transpileTypescript, typescriptSources } from './typescript.js';

/** Bumped whenever what a build does changes, so old images are not reused for new recipes. */
export const BUILD_RECIPE = 'nimbus-build-1';

export type BuildStep = 'npm-ci' | 'npm-install' | 'typescript' | 'pip';

/** What a deployment needs built, and the content address of the result. */
export interface BuildPlan {
  /** Image key of the built code: a hash of the source image, the runtime family, steps and tools. */
  key: string;
  sourceKey: string;
  runtime: string;
  steps: BuildStep[];
  /** TypeScript files to transpile (relative paths). */
  typescript: string[];
}

export interface BuildTools {
  nodeExecutable: string;
  /** `npm-cli.js` of the npm next to Node; undefined when npm is missing. */
  npmCli?: string;
  /** A Python 3 interpreter; undefined when the host has none. */
  python?: string;
}

/** A build that did not produce an image: the reason is the installer's own message. */
export class BuildFailure extends Error {
  override readonly name = 'BuildFailure';
  constructor(
    readonly reasonCode: 'InvalidConfiguration' | 'InternalError',
    message: string,
  ) {
    super(message);
  }
}

export interface CodeBuilderOptions {
  code: CodeStore;
  /** Scratch folders of builds in progress (same file system as the images). */
  workDir: string;
  /** Package caches shared by builds (npm's cache). */
  cacheDir: string;
  tools: BuildTools;
  timeoutMs: number;
}

/** Environment variables an installer may see from the server's environment (network and TLS setup). */
const PASSED_THROUGH =
  /^(HTTPS?_PROXY|NO_PROXY|https?_proxy|no_proxy|NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|PIP_INDEX_URL|PIP_EXTRA_INDEX_URL|PIP_FIND_LINKS|PIP_CERT|PIP_TRUSTED_HOST)$/;

/**
 * The build step of a deployment. Decides from the unpacked zip what to do, like a developer would
 * before zipping:
 * - Node.js: `package.json` with dependencies and no `node_modules` → `npm ci --omit=dev
 *   --ignore-scripts` (with a lock file) or `npm install --omit=dev --ignore-scripts`;
 *   TypeScript files without their `.js` → transpiled by esbuild.
 * - Python: `requirements.txt` and no installed distribution (`*.dist-info`) at the root →
 *   `pip install -r requirements.txt -t .`.
 * Each build runs in a scratch copy with an environment of its own (no server secrets), and the
 * result becomes an immutable image keyed by a hash of its inputs: the same zip built the same way
 * is built once.
 */
export class CodeBuilder {
  readonly #abort = new AbortController();
  readonly #npmVersion: string | undefined;
  readonly #pythonVersion: string | undefined;

  constructor(private readonly o: CodeBuilderOptions) {
    this.#npmVersion = npmVersion(o.tools.npmCli);
    this.#pythonVersion = o.tools.python;
  }

  /** Kills running installers; their builds fail. */
  close(): void {
    this.#abort.abort();
  }

  /** Undefined when the code runs as unzipped. */
  async plan(sourceKey: string, runtime: string): Promise<BuildPlan | undefined> {
    const root = this.o.code.imagePath(sourceKey);
    const files = await listFiles(root);
    const set = new Set(files);
    const steps: BuildStep[] = [];
    let typescript: string[] = [];
    const family = runtimeFamily(runtime);
    if (family === 'nodejs') {
      if (
        set.has('package.json') &&
        !hasDir(files, 'node_modules') &&
        hasDependencies(join(root, 'package.json'))
      ) {
        steps.push(set.has('package-lock.json') || set.has('npm-shrinkwrap.json') ? 'npm-ci' : 'npm-install');
      }
      typescript = typescriptSources(files);
      if (typescript.length > 0) steps.push('typescript');
    } else if (family === 'python') {
      if (set.has('requirements.txt') && !files.some((f) => /^[^/]+\.dist-info\//.test(f))) steps.push('pip');
    }
    if (steps.length === 0) return undefined;
    const key = createHash('sha256')
      .update(
        JSON.stringify({
          recipe: BUILD_RECIPE,
          sourceKey,
          family,
          steps,
          tools: {
            node: process.version,
            npm: steps.some((s) => s.startsWith('npm')) ? this.#npmVersion : undefined,
            esbuild: steps.includes('typescript') ? esbuildVersion : undefined,
            python: steps.includes('pip') ? this.#pythonVersion : undefined,
          },
        }),
      )
      .digest('hex');
    return { key, sourceKey, runtime, steps, typescript };
  }

  /** Runs the plan; resolves the unpacked size of the new image, or rejects with {@link BuildFailure}. */
  async build(plan: BuildPlan, log: (line: string) => void): Promise<number> {
    const existing = await this.o.code.imageSize(plan.key);
    if (existing !== undefined) {
      log(`nimbus: reusing the image built earlier from the same inputs (${plan.key.slice(0, 12)})`);
      return existing;
    }
    const scratch = join(this.o.workDir, `${plan.key}.${randomBytes(6).toString('hex')}`);
    const work = join(scratch, 'code');
    const home = join(scratch, 'home');
    try {
      await mkdir(home, { recursive: true });
      await cp(this.o.code.imagePath(plan.sourceKey), work, { recursive: true, verbatimSymlinks: true });
      for (const step of plan.steps) await this.#run(step, plan, work, home, log);
      const size = await folderSize(work);
      if (size > UNZIPPED_MAX_BYTES) {
        throw new BuildFailure(
          'InvalidConfiguration',
          `Unzipped size must be smaller than ${UNZIPPED_MAX_BYTES} bytes (the built code is ${size} bytes).`,
        );
      }
      await this.o.code.adoptImage(work, plan.key, size);
      log(`nimbus: build finished, image ${plan.key.slice(0, 12)} (${size} bytes)`);
      return size;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  async #run(step: BuildStep, plan: BuildPlan, work: string, home: string, log: (l: string) => void) {
    switch (step) {
      case 'npm-ci':
      case 'npm-install':
        return this.#npm(step, work, home, log);
      case 'typescript':
        try {
          return await transpileTypescript(work, plan.typescript, log);
        } catch (e) {
          const message = (e as Error).message.split('\n').slice(0, 6).join(' ');
          log(message);
          throw new BuildFailure('InvalidConfiguration', `TypeScript transpile failed: ${message}`);
        }
      case 'pip':
        return this.#pip(work, home, log);
    }
  }

  async #npm(step: 'npm-ci' | 'npm-install', work: string, home: string, log: (l: string) => void) {
    const npmCli = this.o.tools.npmCli;
    if (!npmCli) {
      throw new BuildFailure(
        'InternalError',
        'npm is not available on this Nimbus server, so dependencies cannot be installed. Include node_modules in the deployment package or a layer (nodejs/node_modules).',
      );
    }
    const args =
      step === 'npm-ci'
        ? ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund']
        : ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock'];
    log(`nimbus: npm ${args.join(' ')}`);
    const r = await runTool({
      command: this.o.tools.nodeExecutable,
      args: [npmCli, ...args],
      cwd: work,
      env: this.#env(home, {
        npm_config_cache: join(this.o.cacheDir, 'npm'),
        npm_config_update_notifier: 'false',
        npm_config_loglevel: 'warn',
        ...(userNpmrc() ? { npm_config_userconfig: userNpmrc()! } : {}),
      }),
      timeoutMs: this.o.timeoutMs,
      onLine: log,
      signal: this.#abort.signal,
    });
    if (!succeeded(r)) throw failure(`npm ${args[0]}`, r, this.o.timeoutMs);
  }

  async #pip(work: string, home: string, log: (l: string) => void) {
    const python = this.o.tools.python;
    const hint =
      'Vendor the packages into the deployment package (pip install -r requirements.txt -t .) or into a layer (python/).';
    if (!python) {
      throw new BuildFailure('InternalError', `Python is not available on this Nimbus server. ${hint}`);
    }
    const env = this.#env(home, {});
    const probe = await runTool({
      command: python,
      args: ['-m', 'pip', '--version'],
      cwd: work,
      env,
      timeoutMs: 30_000,
      onLine: () => {},
    });
    if (!succeeded(probe)) {
      log(`nimbus: ${python} -m pip: ${probe.tail.join(' ')}`);
      throw new BuildFailure(
        'InternalError',
        `pip is not available on this Nimbus server (${python} -m pip: ${probe.tail.at(-1) ?? 'failed'}), so requirements.txt cannot be installed. ${hint}`,
      );
    }
    const args = [
      '-m',
      'pip',
      'install',
      '-r',
      'requirements.txt',
      '-t',
      '.',
      '--no-input',
      '--disable-pip-version-check',
      '--no-cache-dir',
      '--progress-bar',
      'off',
      '--retries',
      '1',
      '--timeout',
      '15',
    ];
    log(`nimbus: python3 ${args.join(' ')}`);
    const r = await runTool({
      command: python,
      args,
      cwd: work,
      env,
      timeoutMs: this.o.timeoutMs,
      onLine: log,
      signal: this.#abort.signal,
    });
    if (!succeeded(r)) throw failure('pip install', r, this.o.timeoutMs);
  }

  /** A clean environment: PATH with this Node first, a private HOME, and the network/TLS settings. */
  #env(home: string, extra: Record<string, string>): Record<string, string> {
    const env: Record<string, string> = {
      PATH: `${dirname(this.o.tools.nodeExecutable)}:/usr/local/bin:/usr/bin:/bin`,
      HOME: home,
      TMPDIR: home,
      LANG: 'C.UTF-8',
    };
    for (const [k, v] of Object.entries(process.env))
      if (v !== undefined && PASSED_THROUGH.test(k)) env[k] = v;
    return { ...env, ...extra };
  }
}

function succeeded(r: ToolResult): boolean {
  return r.code === 0 && !r.timedOut;
}

function failure(what: string, r: ToolResult, timeoutMs: number): BuildFailure {
  if (r.timedOut)
    return new BuildFailure('InternalError', `${what} did not finish within ${timeoutMs / 1000} s.`);
  // npm states the cause first (`npm error code E404`, then the message); pip last (`ERROR: ...`).
  const npmErrors = r.tail.filter((l) => /^npm error/.test(l) && !/complete log of this run/.test(l));
  const pipErrors = r.tail.filter((l) => /^ERROR:/.test(l));
  const lines =
    npmErrors.length > 0 ? npmErrors.slice(0, 6) : pipErrors.length > 0 ? pipErrors : r.tail.slice(-6);
  const detail = lines.join('\n') || '(no output)';
  return new BuildFailure(
    'InvalidConfiguration',
    `${what} failed (${r.signal ? `signal ${r.signal}` : `exit code ${r.code}`}): ${detail}`,
  );
}

function hasDir(files: readonly string[], dir: string): boolean {
  return files.some((f) => f.startsWith(`${dir}/`));
}

function hasDependencies(manifest: string): boolean {
  try {
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, unknown> };
    return pkg.dependencies !== undefined && Object.keys(pkg.dependencies).length > 0;
  } catch {
    // A broken package.json is npm's to report.
    return true;
  }
}

function userNpmrc(): string | undefined {
  const candidate = process.env.npm_config_userconfig ?? join(homedir(), '.npmrc');
  return existsSync(candidate) ? candidate : undefined;
}

function npmVersion(npmCli: string | undefined): string | undefined {
  if (!npmCli) return undefined;
  try {
    return (
      JSON.parse(readFileSync(join(dirname(npmCli), '..', 'package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'unknown';
  }
}

/**
 * Relative paths of the files and symlinks under `root`; a `node_modules` folder is listed as
 * `node_modules/` without its content (nothing in there decides what to build), as is an empty one.
 */
export async function listFiles(root: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      const inner = entry.name === 'node_modules' ? [] : await listFiles(root, rel);
      out.push(...(inner.length > 0 ? inner : [`${rel}/`]));
    } else out.push(rel);
  }
  return out;
}

async function folderSize(root: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await lstat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}
