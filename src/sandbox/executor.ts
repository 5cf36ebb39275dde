import type { Readable } from 'node:stream';

/**
 * How a sandbox process is started and contained. `LocalExecutor` runs it as a child of the
 * server, as a plain process or under bubblewrap, with cgroup limits where the host allows, and
 * may serve it from a pre-started generic runtime (a zygote). Nothing above `sandbox/` knows
 * which of these is in use.
 */

/** What a sandbox runs, as the executor needs to know it before it picks how to run it. */
export interface SandboxRequest {
  /** Executable and arguments as seen inside the sandbox. */
  command: string;
  args: string[];
  /** Host folder holding the function's code; seen as {@link SandboxPaths.taskRoot}. */
  codeDir: string;
  /** Host folder with the function's merged layers; seen as {@link SandboxPaths.optDir} (`/opt`). */
  optDir?: string;
  memoryMb: number;
  ephemeralStorageMb: number;
  /** The function's own variables: some (NODE_OPTIONS...) rule out a pre-started runtime. */
  userEnvironment: Record<string, string>;
}

/** A sandbox the executor has chosen how to run (and reserved a zygote for), not started yet. */
export interface PreparedSandbox {
  /** Host path of the unix socket its Runtime API must listen on (the folder exists). */
  readonly runtimeApiSocket: string;
  /** The `AWS_LAMBDA_RUNTIME_API` value that reaches that socket from inside the sandbox. */
  readonly runtimeApiAddress: string;
  /**
   * For runtimes that need `host:port` (AWS's runtime clients, curl, Python): a host name only
   * this sandbox resolves (to 127.0.0.1), so its loopback Runtime API can insist on it. Absent
   * without isolation, where `127.0.0.1` is used.
   */
  readonly tcpHostName?: string;
  /** Starts it with exactly `env` (nothing is inherited from the server). */
  start(env: Record<string, string>): Promise<SandboxProcess>;
  /** Not started after all: releases what was reserved. */
  abandon(): void;
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
  /** Settles once when the process (and everything it started) is gone. */
  readonly exited: Promise<ExitInfo>;
  /** Served by a pre-started generic runtime. */
  readonly fromZygote: boolean;
  /** Ends the process and everything it started, immediately. */
  kill(): void;
  /** Peak memory of the sandbox so far, in bytes, when the executor can measure it. */
  peakMemoryBytes(): number | undefined;
}

export interface IsolationDescription {
  /** `bwrap` or `process`. */
  isolation: string;
  /** `cgroup-v1`, `cgroup-v2` or `none`. */
  limits: string;
  /** Pre-started runtimes kept per profile (0: off). */
  prestart: number;
}

export interface ExecutorStats {
  /** Pre-started runtimes alive now, and how many of them are warm. */
  zygotes: number;
  zygotesReady: number;
  /** Sandboxes started from a zygote, and fresh. */
  zygoteStarts: number;
  freshStarts: number;
}

export interface SandboxExecutor {
  readonly name: string;
  /** The Node.js executable as seen inside a sandbox. */
  readonly nodeExecutable: string;
  describe(): IsolationDescription;
  /**
   * Paths as the sandbox sees them, for a given host code folder and (when the function has layers)
   * host folder of its merged layers, which the sandbox sees as `/opt`.
   */
  paths(codeDir: string, sandboxId: string, optDir?: string): SandboxPaths;
  prepare(request: SandboxRequest, sandboxId: string): PreparedSandbox;
  /** Removes what the executor left behind for a sandbox (temp folders, cgroups, records). */
  cleanup(sandboxId: string): void;
  stats(): ExecutorStats;
  /** Ends pre-started runtimes and removes what the executor set up. */
  close(): Promise<void>;
}
