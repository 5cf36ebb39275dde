import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ExitInfo, SandboxExecutor, SandboxLaunch, SandboxPaths, SandboxProcess } from './executor.js';

/**
 * Runs each sandbox as a plain child process of the server: no isolation beyond an explicit
 * environment and a private `/tmp` folder. Used where bubblewrap is not available; the server says
 * so at start.
 */
export class ProcessExecutor implements SandboxExecutor {
  readonly name = 'process';

  constructor(
    private readonly tmpRoot: string,
    private readonly runtimeDir: string,
    private readonly optDir: string,
  ) {}

  paths(codeDir: string, sandboxId: string, optDir?: string): SandboxPaths {
    return {
      taskRoot: codeDir,
      runtimeDir: this.runtimeDir,
      // Without a mount namespace the layers stay where they are; the environment points there.
      optDir: optDir ?? this.optDir,
      tmpDir: join(this.tmpRoot, sandboxId),
    };
  }

  spawn(launch: SandboxLaunch, sandboxId: string): SandboxProcess {
    const tmpDir = join(this.tmpRoot, sandboxId);
    mkdirSync(tmpDir, { recursive: true });
    const child = spawn(launch.command, launch.args, {
      cwd: launch.codeDir,
      env: { ...launch.env, TMPDIR: tmpDir },
      stdio: [launch.stdinLine === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      // Its own process group, so a kill reaches whatever the function started.
      detached: true,
    });
    if (launch.stdinLine !== undefined) child.stdin!.end(`${launch.stdinLine}\n`);
    const exited = new Promise<ExitInfo>((ok) => {
      child.once('exit', (code, signal) => ok({ code, signal, oomKilled: false }));
      child.once('error', () => ok({ code: null, signal: null, oomKilled: false }));
    });
    const pid = child.pid;
    return {
      pid,
      stdout: child.stdout!,
      stderr: child.stderr!,
      stdin: child.stdin,
      exited,
      kill: () => killGroup(pid),
      peakMemoryBytes: () => (pid === undefined ? undefined : peakRss(pid)),
    };
  }

  cleanup(sandboxId: string): void {
    rmSync(join(this.tmpRoot, sandboxId), { recursive: true, force: true });
  }
}

export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** VmHWM (peak resident set) of a process, from /proc. */
function peakRss(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
