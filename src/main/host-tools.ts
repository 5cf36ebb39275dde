import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Interpreters and installers the host offers to runtimes and the build step. */
export interface HostTools {
  /** A Python 3 interpreter and its `major.minor`, when there is one. */
  python?: { executable: string; version: string };
  /** `npm-cli.js` of the npm installed next to this Node. */
  npmCli?: string;
}

/**
 * Looks for Python 3 (`/usr/bin/python3` first: a system interpreter, not a shim that depends on
 * the caller's environment) and npm. Run once at start; a few tens of milliseconds.
 */
export function detectHostTools(env: NodeJS.ProcessEnv = process.env): HostTools {
  const tools: HostTools = {};
  const candidates = [env.NIMBUS_PYTHON, '/usr/bin/python3', '/usr/local/bin/python3'].filter(
    (p): p is string => !!p && existsSync(p),
  );
  for (const executable of candidates) {
    try {
      const version = execFileSync(executable, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 5_000,
        env: { PATH: '/usr/bin:/bin' },
      }).trim();
      if (/^3\.\d+$/.test(version)) {
        tools.python = { executable, version };
        break;
      }
    } catch {
      // not usable
    }
  }
  const npmCli = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  if (existsSync(npmCli)) tools.npmCli = npmCli;
  else if (env.npm_execpath && existsSync(env.npm_execpath)) tools.npmCli = env.npm_execpath;
  return tools;
}
