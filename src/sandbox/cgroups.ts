import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

/**
 * Resource limits of sandboxes with Linux control groups, version 1 or 2 (platform-notes: this
 * host has the memory controller on v1 only; most current hosts are pure v2). Each sandbox gets
 * a group below one parent group per server, itself below the server's own group (so whatever
 * limits the host puts on Nimbus still apply), with:
 *
 * - memory capped at the function's MemorySize (no swap); the kernel OOM-kills past it;
 * - a task limit (processes and threads, 1,024 as on Lambda), so a fork bomb stays inside;
 * - a CPU weight proportional to memory, as Lambda's CPU share is (1,769 MB = one vCPU's share).
 *   A weight, not a cap: an idle host lends its CPU, a busy one shares it by memory size.
 *
 * Processes join their group before the runtime starts (`joinArgs`), so nothing they start
 * escapes it, and the whole group can be killed at once.
 */

export type CgroupVersion = 1 | 2;

/** Lambda: "processes and threads: 1,024" (lambda-reference §8). */
export const SANDBOX_TASKS_MAX = 1024;
/** Memory at which Lambda allocates the equivalent of one full vCPU. */
const MB_PER_VCPU = 1769;

interface Controller {
  /** `memory`, `pids`, `cpu` (v1); one entry `unified` on v2. */
  name: string;
  /** This server's parent group. */
  parent: string;
}

export interface CgroupsDescription {
  version: CgroupVersion;
  controllers: string[];
  parents: string[];
}

export class Cgroups {
  /** Use {@link Cgroups.setUp}. */
  constructor(
    readonly version: CgroupVersion,
    private readonly controllers: Controller[],
  ) {}

  /**
   * Finds a writable hierarchy with the memory controller and creates this server's parent group
   * (`name`) in it. Undefined when the host does not allow it (not root, read-only cgroupfs, no
   * memory controller): sandboxes then run without limits, and the server says so.
   */
  static setUp(name: string): { cgroups?: Cgroups; reason?: string } {
    try {
      const mounts = cgroupMounts();
      const own = ownGroups();
      const v2 = mounts.find((m) => m.type === 'cgroup2');
      if (v2 && readText(join(v2.path, own.get('') ?? '/', 'cgroup.controllers'))?.includes('memory')) {
        return { cgroups: setUpV2(v2.path, own.get('') ?? '/', name) };
      }
      const memory = mounts.find((m) => m.type === 'cgroup' && m.options.includes('memory'));
      if (!memory) return { reason: 'no cgroup hierarchy with the memory controller' };
      const controllers: Controller[] = [];
      for (const ctl of ['memory', 'pids', 'cpu']) {
        const mount = mounts.find((m) => m.type === 'cgroup' && m.options.includes(ctl));
        if (!mount) continue;
        sweepStale(join(mount.path, own.get(ctl) ?? '/'));
        const parent = join(mount.path, own.get(ctl) ?? '/', name);
        mkdirSync(parent, { recursive: true });
        if (ctl === 'cpu') writeIfExists(join(parent, 'cpu.shares'), String(1024 * availableParallelism()));
        controllers.push({ name: ctl, parent });
      }
      return { cgroups: new Cgroups(1, controllers) };
    } catch (e) {
      return { reason: (e as Error).message };
    }
  }

  describe(): CgroupsDescription {
    return {
      version: this.version,
      controllers: this.version === 2 ? ['memory', 'pids', 'cpu'] : this.controllers.map((c) => c.name),
      parents: this.controllers.map((c) => c.parent),
    };
  }

  /** A group for one sandbox, created empty; `apply` sets its limits. */
  create(id: string): CgroupSlot {
    const dirs = this.controllers.map((c) => ({ name: c.name, dir: join(c.parent, id) }));
    for (const d of dirs) mkdirSync(d.dir);
    const slot = new CgroupSlot(this.version, dirs);
    slot.write('pids', this.version === 2 ? 'pids.max' : 'pids.max', String(SANDBOX_TASKS_MAX));
    return slot;
  }

  /** Removes the parent groups (after every sandbox group is gone); false while some remain. */
  close(): boolean {
    let removed = true;
    for (const c of this.controllers) removed = removeTree(c.parent) && removed;
    return removed;
  }
}

export class CgroupSlot {
  constructor(
    readonly version: CgroupVersion,
    private readonly dirs: { name: string; dir: string }[],
  ) {}

  /** Every group directory, for the records that let the next start clean up after a crash. */
  get paths(): string[] {
    return this.dirs.map((d) => d.dir);
  }

  /**
   * Arguments that make a command join this group before it runs: `sh -c <script> sh <n>
   * <procs files...> <command...>`. Also caps open files at Lambda's 1,024.
   */
  joinArgs(command: string[]): string[] {
    const procs = this.dirs.map((d) => join(d.dir, 'cgroup.procs'));
    const script =
      'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; ' +
      'ulimit -n 1024 2>/dev/null; exec "$@"';
    return ['-c', script, 'sh', String(procs.length), ...procs, ...command];
  }

  /** Memory cap and CPU weight for a function of `memoryMb`. */
  apply(memoryMb: number): void {
    const bytes = String(memoryMb * 1_048_576);
    if (this.version === 2) {
      this.write('memory', 'memory.max', bytes);
      this.write('memory', 'memory.swap.max', '0');
      this.write('cpu', 'cpu.weight', String(clamp(Math.round((memoryMb / MB_PER_VCPU) * 100), 1, 10_000)));
      return;
    }
    // memsw (memory + swap) may never be below the memory limit: raise it first, lower it last.
    const memsw = 'memory.memsw.limit_in_bytes';
    if (!this.write('memory', memsw, bytes)) {
      this.write('memory', 'memory.limit_in_bytes', bytes);
      this.write('memory', memsw, bytes);
    } else {
      this.write('memory', 'memory.limit_in_bytes', bytes);
    }
    this.write('cpu', 'cpu.shares', String(Math.max(2, Math.round((memoryMb / MB_PER_VCPU) * 1024))));
  }

  /**
   * The lowest CPU weight, for pre-started runtimes: their warm-up is background work that must
   * not slow the sandboxes serving invocations. `apply` sets the real weight when one is used.
   */
  background(): void {
    if (this.version === 2) this.write('cpu', 'cpu.weight', '1');
    else this.write('cpu', 'cpu.shares', '2');
  }

  /** Highest memory use of the group so far, in bytes. */
  peakBytes(): number | undefined {
    const file = this.version === 2 ? 'memory.peak' : 'memory.max_usage_in_bytes';
    const value = Number(this.read('memory', file)?.trim());
    if (Number.isFinite(value) && value > 0) return value;
    const current = Number(
      this.read('memory', this.version === 2 ? 'memory.current' : 'memory.usage_in_bytes'),
    );
    return Number.isFinite(current) ? current : undefined;
  }

  /** The kernel killed something in the group for exceeding its memory. */
  oomKilled(): boolean {
    const text = this.read('memory', this.version === 2 ? 'memory.events' : 'memory.oom_control') ?? '';
    const m = /^oom_kill (\d+)/m.exec(text);
    return m ? Number(m[1]) > 0 : false;
  }

  pids(): number[] {
    const text = this.read(this.version === 2 ? 'unified' : 'memory', 'cgroup.procs') ?? '';
    return text
      .split('\n')
      .filter((l) => l !== '')
      .map(Number);
  }

  /** SIGKILLs every process of the group, including those that left the process group. */
  killAll(): void {
    if (this.version === 2 && this.write('unified', 'cgroup.kill', '1')) return;
    for (let round = 0; round < 20; round++) {
      const pids = this.pids();
      if (pids.length === 0) return;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
    }
  }

  /** Removes the group; false while it still has processes (they are exiting). */
  remove(): boolean {
    let removed = true;
    for (const d of this.dirs) {
      try {
        rmdirSync(d.dir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') removed = false;
      }
    }
    return removed;
  }

  /** Writes a control file; false when the file does not exist or refuses the value. */
  write(controller: string, file: string, value: string): boolean {
    const dir = this.#dir(controller);
    if (!dir) return false;
    try {
      writeFileSync(join(dir, file), value);
      return true;
    } catch {
      return false;
    }
  }

  read(controller: string, file: string): string | undefined {
    const dir = this.#dir(controller);
    return dir ? readText(join(dir, file)) : undefined;
  }

  #dir(controller: string): string | undefined {
    if (this.version === 2) return this.dirs[0]?.dir;
    return this.dirs.find((d) => d.name === controller)?.dir;
  }
}

/**
 * Kills what is left in a group tree and removes it, deepest first (crash recovery, shutdown).
 * False while something could not be removed yet (processes still exiting).
 */
export function removeTree(dir: string): boolean {
  if (!existsSync(dir)) return true;
  let children: string[] = [];
  try {
    children = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return false;
  }
  for (const child of children) removeTree(join(dir, child));
  const procs = readText(join(dir, 'cgroup.procs')) ?? '';
  for (const pid of procs.split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone
    }
  }
  try {
    rmdirSync(dir);
    return true;
  } catch (e) {
    // Still busy: the caller retries, or the next start does.
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

function setUpV2(mount: string, own: string, name: string): Cgroups {
  const ownDir = join(mount, own);
  const enable = '+memory +pids +cpu';
  try {
    writeFileSync(join(ownDir, 'cgroup.subtree_control'), enable);
  } catch (e) {
    // "No internal processes": a group with processes cannot delegate controllers. Move this
    // server into a leaf of its own (what container runtimes do), then delegate.
    if ((e as NodeJS.ErrnoException).code !== 'EBUSY') throw e;
    const leaf = join(ownDir, 'nimbus-server');
    mkdirSync(leaf, { recursive: true });
    writeFileSync(join(leaf, 'cgroup.procs'), String(process.pid));
    writeFileSync(join(ownDir, 'cgroup.subtree_control'), enable);
  }
  sweepStale(ownDir);
  const parent = join(ownDir, name);
  mkdirSync(parent, { recursive: true });
  writeFileSync(join(parent, 'cgroup.subtree_control'), enable);
  writeIfExists(join(parent, 'cpu.weight'), String(Math.min(10_000, 100 * availableParallelism())));
  return new Cgroups(2, [{ name: 'unified', parent }]);
}

/** Parent groups are named `nimbus-<server pid>-<random>`. */
export function parentGroupName(): string {
  return `nimbus-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Removes parent groups of servers that are gone (their pid is not running), with whatever they
 * left inside: the data-dir records clean up after a crash of a server that restarts with the
 * same data dir, this after one that never does (a test run, say).
 */
function sweepStale(dir: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const m = /^nimbus-(\d+)-[a-z0-9]+$/.exec(n);
    if (!m || isRunning(Number(m[1]))) continue;
    removeTree(join(dir, n));
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface CgroupMount {
  path: string;
  type: 'cgroup' | 'cgroup2';
  options: string[];
}

function cgroupMounts(): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of (readText('/proc/self/mountinfo') ?? '').split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const [type, , superOptions] = right.split(' ');
    if (type !== 'cgroup' && type !== 'cgroup2') continue;
    const fields = left.split(' ');
    const mountOptions = fields[5] ?? '';
    if (mountOptions.split(',').includes('ro')) continue;
    mounts.push({ path: fields[4] ?? '', type, options: (superOptions ?? '').split(',') });
  }
  return mounts;
}

/** The server's own group per v1 controller, and under '' its v2 group. */
function ownGroups(): Map<string, string> {
  const own = new Map<string, string>();
  for (const line of (readText('/proc/self/cgroup') ?? '').split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === '') own.set('', m[2]!);
    for (const ctl of m[1]!.split(',')) if (ctl) own.set(ctl, m[2]!);
  }
  return own;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function writeIfExists(path: string, value: string): void {
  try {
    writeFileSync(path, value);
  } catch {
    // optional knob
  }
}

function clamp(v: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, v));
}
