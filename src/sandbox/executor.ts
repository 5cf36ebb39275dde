import type { Readable, Writable } from 'node:stream';

/**
 * How a sandbox process is started and contained. The plain-process executor runs it as a child
 * of the server; stronger executors (bubblewrap, cgroups) add isolation and limits behind the same
 * interface. Nothing above `sandbox/` knows which one is in use.
 */

export interface SandboxLaunch {
  /** Executable and arguments as seen inside the sandbox. */
  command: string;
  args: string[];
  /** The complete environment of the runtime process (nothing is inherited from the server). */
  env: Record<string, string>;
  /** Host folder holding the function's code; seen as {@link SandboxPaths.taskRoot}. */
  codeDir: string;
  /** Host folder with the function's merged layers; seen as {@link SandboxPaths.optDir} (`/opt`). */
  optDir?: string;
  memoryMb: number;
  ephemeralStorageMb: number;
  /** Feed this line to stdin right after start (zygote specialisation); otherwise stdin is closed. */
  stdinLine?: string;
}

/** Where a sandbox sees things; the environment variables are built from these. */
export interface SandboxPaths {
  taskRoot: string;
  runtimeDir: string;
  optDir: string;
  tmpDir: string;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The executor saw the memory limit hit. */
  oomKilled: boolean;
}

export interface SandboxProcess {
  readonly pid: number | undefined;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly stdin: Writable | null;
  /** Settles once when the process is gone. */
  readonly exited: Promise<ExitInfo>;
  /** Ends the process (and everything it started) immediately. */
  kill(): void;
  /** Peak memory of the sandbox so far, in bytes, when the executor can measure it. */
  peakMemoryBytes(): number | undefined;
}

export interface SandboxExecutor {
  readonly name: string;
  /**
   * Paths as the sandbox sees them, for a given host code folder and (when the function has layers)
   * host folder of its merged layers, which the sandbox sees as `/opt`.
   */
  paths(codeDir: string, sandboxId: string, optDir?: string): SandboxPaths;
  spawn(launch: SandboxLaunch, sandboxId: string): SandboxProcess;
  /** Removes what the executor left behind for a sandbox (temp folders, cgroups). */
  cleanup(sandboxId: string): void;
}
