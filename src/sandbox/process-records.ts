import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTree } from './cgroups.js';
import { processStartTime } from './proc.js';

/**
 * What the executor started, written down in the data dir (`run/`), so that after a crash of the
 * server the next start can end what the crash left behind: processes (identified by pid AND
 * start time, so a reused pid is never hit), their control groups and scratch folders. Bubblewrap
 * sandboxes die with the server anyway (`--die-with-parent`); plain processes do not.
 */
export interface ProcessRecord {
  pid: number;
  startTime: string;
  /** The process leads a process group of its own. */
  group: boolean;
  cgroups: string[];
  folders: string[];
}

export interface Leftovers {
  processes: number;
  cgroups: number;
}

export class ProcessRecords {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Records a started process (pid 0: resources only); returns false when it already exited. */
  add(id: string, r: Omit<ProcessRecord, 'startTime'>): boolean {
    const startTime = r.pid === 0 ? '' : processStartTime(r.pid);
    if (startTime === undefined) return false;
    writeFileSync(join(this.dir, id), JSON.stringify({ ...r, startTime }));
    return true;
  }

  remove(id: string): void {
    rmSync(join(this.dir, id), { force: true });
  }

  /** Ends everything recorded by a previous run of the server and forgets it. */
  reap(): Leftovers {
    const found: Leftovers = { processes: 0, cgroups: 0 };
    for (const name of readdirSync(this.dir)) {
      const file = join(this.dir, name);
      let r: ProcessRecord | undefined;
      try {
        r = JSON.parse(readFileSync(file, 'utf8')) as ProcessRecord;
      } catch {
        // torn write during the crash: nothing usable
      }
      if (r && r.pid > 0 && processStartTime(r.pid) === r.startTime) {
        found.processes++;
        kill(r.group ? -r.pid : r.pid);
        kill(r.pid);
      }
      for (const cg of r?.cgroups ?? []) {
        found.cgroups++;
        removeTree(cg);
      }
      for (const folder of r?.folders ?? []) rmSync(folder, { recursive: true, force: true });
      rmSync(file, { force: true });
    }
    return found;
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}
