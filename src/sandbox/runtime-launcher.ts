import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import type { SandboxPaths } from './executor.js';

/** The command that starts a runtime, as seen from inside the sandbox. */
export interface RuntimeCommand {
  command: string;
  args: string[];
}

/** What the launcher may look at on the host. */
export interface LaunchHost {
  nodeExecutable: string;
  /** Python interpreter for `python3.x`; absent when the host has none. */
  pythonExecutable?: string;
  /** Host folder of the function's code (the sandbox sees `paths.taskRoot`). */
  hostCodeDir: string;
  /** Host folder of the merged layers (the sandbox sees `paths.optDir`). */
  hostOptDir?: string;
}

/** The runtime cannot be started at all; reported as the first invocation's init error. */
export class RuntimeLaunchError extends Error {
  override readonly name = 'RuntimeLaunchError';
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Which process each runtime family starts:
 * - `nodejs*`: Nimbus's Node.js runtime client (`dist/runtimes/nodejs`) on the host's Node;
 * - `python3.*`: Nimbus's Python runtime client (`dist/runtimes/python/bootstrap.py`, stdlib only)
 *   on the host's Python 3, unbuffered so log lines arrive as they are printed;
 * - `provided*`: the executable `bootstrap` of the code, else of a layer (`/opt/bootstrap`), as
 *   Lambda does. A `#!/bin/sh` script runs with bash when the host's `/bin/sh` is another shell:
 *   on Amazon Linux `/bin/sh` is bash, and scripts written for Lambda (AWS's own tutorial uses
 *   `source` and `set -o pipefail`) rely on it.
 */
export function runtimeCommand(runtime: string, paths: SandboxPaths, host: LaunchHost): RuntimeCommand {
  if (runtime.startsWith('nodejs')) {
    return { command: host.nodeExecutable, args: [`${paths.runtimeDir}/nodejs/index.js`] };
  }
  if (runtime.startsWith('python')) {
    if (!host.pythonExecutable) {
      throw new RuntimeLaunchError(
        'Runtime.InvalidEntrypoint',
        'No Python interpreter is available on this Nimbus server.',
      );
    }
    return { command: host.pythonExecutable, args: ['-u', `${paths.runtimeDir}/python/bootstrap.py`] };
  }
  if (runtime.startsWith('provided')) return bootstrapCommand(paths, host);
  throw new Error(`no launcher for runtime ${runtime}`);
}

function bootstrapCommand(paths: SandboxPaths, host: LaunchHost): RuntimeCommand {
  const candidates = [
    { host: `${host.hostCodeDir}/bootstrap`, inside: `${paths.taskRoot}/bootstrap` },
    ...(host.hostOptDir
      ? [{ host: `${host.hostOptDir}/bootstrap`, inside: `${paths.optDir}/bootstrap` }]
      : []),
  ];
  const found = candidates.find((c) => isFile(c.host));
  if (!found) {
    const tried = [`${paths.taskRoot}/bootstrap`, `${paths.optDir}/bootstrap`].join(' ');
    throw new RuntimeLaunchError('Runtime.InvalidEntrypoint', `Couldn't find valid bootstrap(s): [${tried}]`);
  }
  try {
    accessSync(found.host, constants.X_OK);
  } catch {
    throw new RuntimeLaunchError('Runtime.InvalidEntrypoint', `fork/exec ${found.inside}: permission denied`);
  }
  if (shebang(found.host) === '/bin/sh' && !shIsBash()) return { command: '/bin/bash', args: [found.inside] };
  return { command: found.inside, args: [] };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function shebang(path: string): string | undefined {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(128);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const m = /^#!\s*(\S+)/.exec(buf.subarray(0, n).toString('latin1'));
    return m?.[1];
  } finally {
    closeSync(fd);
  }
}

let cachedShIsBash: boolean | undefined;
function shIsBash(): boolean {
  if (cachedShIsBash === undefined) {
    try {
      const target = statSync('/bin/sh');
      cachedShIsBash = target.ino === statSync('/bin/bash').ino;
    } catch {
      cachedShIsBash = false;
    }
  }
  return cachedShIsBash;
}
