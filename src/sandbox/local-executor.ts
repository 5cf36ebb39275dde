import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Clock } from '../domain/clock.js';
import { BWRAP_PATHS, type Bwrap } from './bwrap.js';
import type { CgroupSlot, Cgroups } from './cgroups.js';
import type {
  ExecutorStats,
  ExitInfo,
  IsolationDescription,
  PreparedSandbox,
  SandboxExecutor,
  SandboxPaths,
  SandboxProcess,
  SandboxRequest,
} from './executor.js';
import { countEntries, linkTree } from './link-tree.js';
import { processTree } from './proc.js';
import type { ProcessRecords } from './process-records.js';
import { ZygotePool } from './zygote-pool.js';

export interface LocalExecutorOptions {
  /** Bubblewrap isolation; plain child processes without it. */
  bwrap?: Bwrap;
  cgroups?: Cgroups;
  records: ProcessRecords;
  clock: Clock;
  /** Per-sandbox `/tmp` folders in plain-process mode. */
  tmpRoot: string;
  /** Per-zygote folders that become `/var/task` once the zygote is specialised (bubblewrap). */
  slotsRoot: string;
  /** A short folder for the Runtime API unix sockets (socket paths are limited to 107 bytes). */
  socketsRoot: string;
  runtimesDir: string;
  optDir: string;
  /** The host's Node.js executable. */
  nodeExecutable: string;
  /** Pre-started runtimes to keep per profile; 0 turns zygotes off. */
  prestart: number;
  onWarning?: (message: string) => void;
}

/** What a started process holds, released by `cleanup`. */
interface Held {
  slot?: CgroupSlot;
  folders: string[];
}

/** A started process before it is a sandbox (a fresh one, or a zygote). */
export interface RawProcess {
  id: string;
  child: ChildProcess;
  exited: Promise<ExitInfo>;
  slot?: CgroupSlot;
  /** Host folder seen as /var/task (bubblewrap zygotes: filled at specialisation). */
  taskDir?: string;
}

/** Code folders with at most this many entries are linked into a zygote's slot. */
const LINKABLE_ENTRIES = 256;
/** User variables Node reads only at start: a zygote would ignore them, so such functions start fresh. */
const STARTUP_VARIABLE = /^(NODE_(?!PATH$|ENV$)|UV_)/;
const CGROUP_REMOVE_RETRIES = 40;
const CGROUP_REMOVE_RETRY_MS = 25;
const EXECUTOR_RECORD = 'executor';
const SOCKET_NAME = 'runtime.sock';
/** The sandbox's own /etc/hosts, next to its socket (bubblewrap mounts it when present). */
const HOSTS_FILE = 'hosts';
/** Where a bubblewrap sandbox sees its Runtime API socket's folder. */
const SANDBOX_SOCKET_DIR = '/run/nimbus';

/**
 * Runs sandboxes on this host: under bubblewrap or as plain processes, each in a cgroup of its own
 * when the host has them, recorded in the data dir for crash recovery, and served by a zygote when
 * the request allows (`zygote-pool.ts`). Each sandbox reaches its Runtime API through a unix
 * socket in a folder of its own; under bubblewrap only that folder is mounted, so no sandbox can
 * reach another's endpoint (loopback ports would be open to every sandbox on the host network).
 */
export class LocalExecutor implements SandboxExecutor {
  readonly name: string;
  readonly nodeExecutable: string;
  readonly #held = new Map<string, Held>();
  readonly #zygotes: ZygotePool;
  readonly #linkable = new Map<string, boolean>();
  readonly #removals = new Set<Promise<void>>();
  #zygoteStarts = 0;
  #freshStarts = 0;
  #closed = false;

  constructor(private readonly o: LocalExecutorOptions) {
    this.name = o.bwrap ? 'bwrap' : 'process';
    this.nodeExecutable = o.bwrap ? o.bwrap.nodeExecutable : o.nodeExecutable;
    for (const dir of [o.tmpRoot, o.slotsRoot, o.socketsRoot]) mkdirSync(dir, { recursive: true });
    // What the executor sets up for itself, so the next start removes it after a crash (pid 0:
    // no process to end).
    o.records.add(EXECUTOR_RECORD, {
      pid: 0,
      group: false,
      cgroups: o.cgroups?.describe().parents ?? [],
      folders: [o.socketsRoot],
    });
    this.#zygotes = new ZygotePool({
      target: o.prestart,
      clock: o.clock,
      start: (ephemeralStorageMb) => this.#startZygote(ephemeralStorageMb),
      discard: (z) => this.cleanup(z.id),
      ...(o.onWarning ? { onWarning: o.onWarning } : {}),
    });
  }

  /** Starts the default pre-started runtimes. */
  prestart(defaultEphemeralStorageMb: number): void {
    this.#zygotes.keep(this.#profile(defaultEphemeralStorageMb), defaultEphemeralStorageMb);
  }

  describe(): IsolationDescription {
    const cg = this.o.cgroups;
    return {
      isolation: this.name,
      limits: cg ? `cgroup-v${cg.version}` : 'none',
      prestart: this.o.prestart,
    };
  }

  paths(codeDir: string, sandboxId: string, optDir?: string): SandboxPaths {
    if (this.o.bwrap) return BWRAP_PATHS;
    return {
      taskRoot: codeDir,
      runtimeDir: this.o.runtimesDir,
      // Without a mount namespace the layers stay where they are; the environment points there.
      optDir: optDir ?? this.o.optDir,
      tmpDir: join(this.o.tmpRoot, sandboxId),
    };
  }

  prepare(request: SandboxRequest, sandboxId: string): PreparedSandbox {
    if (this.#closed) throw new Error('the executor is closed');
    const zygote = this.#zygoteFor(request);
    if (zygote) {
      return {
        runtimeApiSocket: join(this.o.socketsRoot, zygote.id, SOCKET_NAME),
        runtimeApiAddress: this.#address(zygote.id),
        start: async (env) => {
          this.#zygoteStarts++;
          return this.#specialise(zygote, request, sandboxId, env);
        },
        abandon: () => {
          zygote.child.kill('SIGKILL');
          this.cleanup(zygote.id);
        },
      };
    }
    const held: Held = { folders: [join(this.o.socketsRoot, sandboxId)] };
    if (!this.o.bwrap) held.folders.push(join(this.o.tmpRoot, sandboxId));
    for (const folder of held.folders) mkdirSync(folder, { recursive: true });
    this.#held.set(sandboxId, held);
    const tcpHostName = this.o.bwrap ? this.#privateHostName(sandboxId) : undefined;
    return {
      runtimeApiSocket: join(this.o.socketsRoot, sandboxId, SOCKET_NAME),
      runtimeApiAddress: this.#address(sandboxId),
      ...(tcpHostName ? { tcpHostName } : {}),
      start: async (env) => {
        this.#freshStarts++;
        const raw = this.#startRaw({
          id: sandboxId,
          command: [request.command, ...request.args],
          env: this.o.bwrap ? env : { ...env, TMPDIR: join(this.o.tmpRoot, sandboxId) },
          taskDir: request.codeDir,
          ...(request.optDir ? { optDir: request.optDir } : {}),
          ephemeralStorageMb: request.ephemeralStorageMb,
          memoryMb: request.memoryMb,
          zygote: false,
        });
        return this.#sandboxProcess(raw, false);
      },
      abandon: () => this.cleanup(sandboxId),
    };
  }

  cleanup(sandboxId: string): void {
    const held = this.#held.get(sandboxId);
    this.#held.delete(sandboxId);
    this.o.records.remove(sandboxId);
    if (!held) return;
    for (const folder of held.folders) rmSync(folder, { recursive: true, force: true });
    const slot = held.slot;
    if (!slot) return;
    slot.killAll();
    // The group can be removed once its processes have exited, which takes a moment after SIGKILL.
    const removal = this.#retry(() => {
      if (slot.remove()) return true;
      slot.killAll();
      return false;
    });
    this.#removals.add(removal);
    void removal.then(() => this.#removals.delete(removal));
  }

  stats(): ExecutorStats {
    const z = this.#zygotes.counts();
    return {
      zygotes: z.alive,
      zygotesReady: z.ready,
      zygoteStarts: this.#zygoteStarts,
      freshStarts: this.#freshStarts,
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#zygotes.close();
    for (const dir of [this.o.slotsRoot, this.o.socketsRoot]) rmSync(dir, { recursive: true, force: true });
    await Promise.all(this.#removals);
    const cgroups = this.o.cgroups;
    if (cgroups) await this.#retry(() => cgroups.close());
    this.o.records.remove(EXECUTOR_RECORD);
  }

  /** Runs `attempt` until it succeeds, every few milliseconds, a bounded number of times. */
  #retry(attempt: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      let tries = 0;
      const run = () => {
        if (attempt() || ++tries >= CGROUP_REMOVE_RETRIES) resolve();
        else this.o.clock.setTimeout(run, CGROUP_REMOVE_RETRY_MS);
      };
      run();
    });
  }

  /**
   * A random host name that only this sandbox resolves (to 127.0.0.1), through an /etc/hosts of
   * its own in its socket folder, which bubblewrap mounts over the host's.
   */
  #privateHostName(sandboxId: string): string {
    const name = `${randomBytes(16).toString('hex')}.runtime.nimbus`;
    writeFileSync(
      join(this.o.socketsRoot, sandboxId, HOSTS_FILE),
      `127.0.0.1\tlocalhost\n::1\tlocalhost\n127.0.0.1\t${name}\n`,
    );
    return name;
  }

  #address(slotId: string): string {
    const path = this.o.bwrap ? SANDBOX_SOCKET_DIR : join(this.o.socketsRoot, slotId);
    return `unix:${path}/${SOCKET_NAME}`;
  }

  // ---- zygotes ------------------------------------------------------------------------------

  /** Bubblewrap fixes /tmp's size at start, so zygotes come in one profile per size. */
  #profile(ephemeralStorageMb: number): string {
    return this.o.bwrap ? `tmp-${ephemeralStorageMb}` : 'any';
  }

  /** A zygote for the request, its code already linked in, or undefined (start fresh). */
  #zygoteFor(request: SandboxRequest): RawProcess | undefined {
    if (this.o.prestart <= 0) return undefined;
    if (request.command !== this.nodeExecutable) return undefined;
    if (request.args.length !== 1 || request.args[0] !== this.#runtimeEntry()) return undefined;
    if (Object.keys(request.userEnvironment).some((k) => STARTUP_VARIABLE.test(k))) return undefined;
    if (this.o.bwrap && !this.#isLinkable(request.codeDir)) return undefined;
    // A zygote's /opt is mounted when it starts: functions with layers start fresh under bubblewrap.
    if (this.o.bwrap && request.optDir) return undefined;
    const zygote = this.#zygotes.take(this.#profile(request.ephemeralStorageMb), request.ephemeralStorageMb);
    if (!zygote?.taskDir || !this.o.bwrap) return zygote;
    try {
      linkTree(request.codeDir, zygote.taskDir);
      return zygote;
    } catch (e) {
      this.o.onWarning?.(`a pre-started runtime could not take the function's code: ${(e as Error).message}`);
      zygote.child.kill('SIGKILL');
      return undefined;
    }
  }

  #runtimeEntry(): string {
    return `${this.o.bwrap ? BWRAP_PATHS.runtimeDir : this.o.runtimesDir}/nodejs/index.js`;
  }

  #startZygote(ephemeralStorageMb: number): RawProcess {
    const id = `z${randomBytes(8).toString('hex')}`;
    const held: Held = { folders: [join(this.o.socketsRoot, id)] };
    let taskDir: string | undefined;
    if (this.o.bwrap) {
      taskDir = join(this.o.slotsRoot, id, 'task');
      held.folders.push(join(this.o.slotsRoot, id));
    }
    for (const folder of [...held.folders, ...(taskDir ? [taskDir] : [])])
      mkdirSync(folder, { recursive: true });
    this.#held.set(id, held);
    return this.#startRaw({
      id,
      command: [this.nodeExecutable, this.#runtimeEntry()],
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', NIMBUS_ZYGOTE: '1', NIMBUS_ZYGOTE_READY_FD: '3' },
      taskDir: taskDir ?? this.o.tmpRoot,
      ephemeralStorageMb,
      zygote: true,
    });
  }

  /** Makes a zygote the sandbox `sandboxId`: its limits, then its environment. */
  #specialise(
    z: RawProcess,
    request: SandboxRequest,
    sandboxId: string,
    env: Record<string, string>,
  ): SandboxProcess {
    const held = this.#held.get(z.id) ?? { folders: [] };
    this.#held.delete(z.id);
    this.#held.set(sandboxId, held);
    this.o.records.remove(z.id);
    if (!this.o.bwrap) {
      const tmp = join(this.o.tmpRoot, sandboxId);
      mkdirSync(tmp, { recursive: true });
      held.folders.push(tmp);
    }
    this.o.records.add(sandboxId, {
      pid: z.child.pid ?? 0,
      group: true,
      cgroups: z.slot?.paths ?? [],
      folders: held.folders,
    });
    z.slot?.apply(request.memoryMb);
    z.child.stdin?.end(`${JSON.stringify({ env })}\n`);
    return this.#sandboxProcess(z, true);
  }

  #isLinkable(codeDir: string): boolean {
    let known = this.#linkable.get(codeDir);
    if (known === undefined) {
      known = countEntries(codeDir, LINKABLE_ENTRIES + 1) <= LINKABLE_ENTRIES;
      this.#linkable.set(codeDir, known);
    }
    return known;
  }

  // ---- processes ----------------------------------------------------------------------------

  #startRaw(spec: {
    id: string;
    command: string[];
    env: Record<string, string>;
    taskDir: string;
    /** Host folder of the function's merged layers, mounted at /opt (else the empty default). */
    optDir?: string;
    ephemeralStorageMb: number;
    memoryMb?: number;
    zygote: boolean;
  }): RawProcess {
    const { bwrap, cgroups } = this.o;
    const held = this.#held.get(spec.id) ?? { folders: [] };
    this.#held.set(spec.id, held);
    const slot = cgroups?.create(spec.id);
    if (slot) held.slot = slot;
    if (spec.memoryMb !== undefined) slot?.apply(spec.memoryMb);
    else slot?.background();
    const inner = bwrap
      ? bwrap.argv({
          taskDir: spec.taskDir,
          ...(spec.optDir ? { optDir: spec.optDir } : {}),
          socketDir: join(this.o.socketsRoot, spec.id),
          ...(existsSync(join(this.o.socketsRoot, spec.id, HOSTS_FILE))
            ? { hostsFile: join(this.o.socketsRoot, spec.id, HOSTS_FILE) }
            : {}),
          ephemeralStorageMb: spec.ephemeralStorageMb,
          command: spec.command,
        })
      : spec.command;
    const [file, ...args] = slot ? ['/bin/sh', ...slot.joinArgs(inner)] : inner;
    const child = spawn(file!, args, {
      cwd: bwrap ? '/' : spec.zygote ? this.o.tmpRoot : spec.taskDir,
      env: spec.env,
      stdio: [spec.zygote ? 'pipe' : 'ignore', 'pipe', 'pipe', ...(spec.zygote ? (['pipe'] as const) : [])],
      // Its own process group, so a kill reaches whatever the function started.
      detached: true,
    });
    // A zygote that died just before it was handed its environment: the write fails, the exit
    // (already on its way) reports it.
    child.stdin?.on('error', () => {});
    if (child.pid !== undefined) {
      this.o.records.add(spec.id, {
        pid: child.pid,
        group: true,
        cgroups: slot?.paths ?? [],
        folders: held.folders,
      });
    }
    const exited = new Promise<ExitInfo>((resolve) => {
      let done = false;
      const finish = (exitCode: number | null, exitSignal: NodeJS.Signals | null) => {
        if (done) return;
        done = true;
        // bwrap reports a runtime killed by a signal as exit status 128 + signal, as shells do.
        const signalled =
          bwrap && exitCode !== null && exitCode > 128 ? signalName(exitCode - 128) : undefined;
        const oomKilled = slot?.oomKilled() ?? false;
        // Whatever the runtime started dies with it.
        killGroup(child.pid);
        slot?.killAll();
        resolve({ code: signalled ? null : exitCode, signal: signalled ?? exitSignal, oomKilled });
      };
      child.once('exit', finish);
      child.once('error', () => finish(null, null));
    });
    return {
      id: spec.id,
      child,
      exited,
      ...(slot ? { slot } : {}),
      ...(spec.zygote ? { taskDir: spec.taskDir } : {}),
    };
  }

  #sandboxProcess(raw: RawProcess, fromZygote: boolean): SandboxProcess {
    const { child, slot } = raw;
    const pid = child.pid;
    let runtimePid: number | undefined;
    return {
      pid,
      stdout: child.stdout as Readable,
      stderr: child.stderr as Readable,
      exited: raw.exited,
      fromZygote,
      kill: () => {
        killGroup(pid);
        slot?.killAll();
      },
      peakMemoryBytes: () => {
        if (slot) return slot.peakBytes();
        // Without cgroups, the runtime's own peak resident set (under bwrap it is a descendant).
        if (pid === undefined) return undefined;
        runtimePid ??= this.o.bwrap ? processTree(pid).at(-1) : pid;
        return runtimePid === undefined ? undefined : peakRss(runtimePid);
      },
    };
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

function signalName(n: number): NodeJS.Signals | undefined {
  return (Object.entries(constants.signals) as [NodeJS.Signals, number][]).find(([, v]) => v === n)?.[0];
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
