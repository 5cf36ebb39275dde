import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerConfig } from '../config/server-config.js';
import type { Clock } from '../domain/clock.js';
import { EPHEMERAL_STORAGE_DEFAULT_MB, INIT_TIMEOUT_MS } from '../domain/limits.js';
import type { Logger } from '../observability/logger.js';
import { Bwrap } from '../sandbox/bwrap.js';
import { Cgroups, parentGroupName } from '../sandbox/cgroups.js';
import { FixedKeepAlive, HistogramKeepAlive } from '../sandbox/keep-alive.js';
import { LocalExecutor } from '../sandbox/local-executor.js';
import type { LogSink } from '../sandbox/log-sink.js';
import { ProcessRecords } from '../sandbox/process-records.js';
import { SandboxManager } from '../sandbox/sandbox-manager.js';
import type { DataDir } from './data-dir.js';
import { RUNTIMES_DIR } from './paths.js';

/**
 * Picks how sandboxes run on this host and says so: bubblewrap when it works (or when asked
 * for), cgroup limits when the host lets the server create groups, pre-started runtimes, the
 * keep-alive policy. Ends first whatever a crashed previous run left behind.
 */
export function createSandboxes(
  config: ServerConfig,
  dir: DataDir,
  clock: Clock,
  log: Logger,
  logSink: LogSink,
  pythonExecutable?: string,
): SandboxManager {
  const records = new ProcessRecords(dir.run);
  const leftovers = records.reap();
  if (leftovers.processes > 0 || leftovers.cgroups > 0) {
    log.warn(leftovers, 'ended sandbox processes and cgroups left behind by a previous run');
  }

  let bwrap: Bwrap | undefined;
  if (config.isolation !== 'process') {
    const found = Bwrap.detect();
    if (found.bwrap) {
      bwrap = new Bwrap({
        bwrap: found.bwrap,
        runtimesDir: RUNTIMES_DIR,
        optDir: dir.opt,
        etcDir: dir.sandboxEtc,
        nodeExecutable: process.execPath,
      });
    } else if (config.isolation === 'bwrap') {
      throw new Error(`--isolation bwrap was asked for, but ${found.reason}`);
    } else {
      log.warn(`sandbox isolation: plain processes, because ${found.reason}`);
    }
  }
  const { cgroups, reason } = Cgroups.setUp(parentGroupName());
  if (!cgroups) log.warn(`sandbox limits: none (no memory cap, no process limit), because ${reason}`);

  const executor = new LocalExecutor({
    ...(bwrap ? { bwrap } : {}),
    ...(cgroups ? { cgroups } : {}),
    records,
    clock,
    tmpRoot: dir.sandboxTmp,
    slotsRoot: dir.sandboxSlots,
    socketsRoot: socketsFolder(),
    runtimesDir: RUNTIMES_DIR,
    optDir: dir.opt,
    nodeExecutable: process.execPath,
    prestart: config.prestart,
    onWarning: (message) => log.warn(message),
  });
  const idleMs = config.idleTimeoutSeconds * 1000;
  const sandboxes = new SandboxManager({
    executor,
    logSink,
    clock,
    runtimeApiHost: '127.0.0.1',
    initTimeoutMs: INIT_TIMEOUT_MS,
    ...(pythonExecutable ? { pythonExecutable } : {}),
    keepAlive:
      config.keepAlive === 'fixed' ? new FixedKeepAlive(idleMs) : new HistogramKeepAlive(idleMs, clock),
    maxConcurrentStarts: Math.max(2, 2 * availableParallelism()),
  });
  executor.prestart(EPHEMERAL_STORAGE_DEFAULT_MB);
  const d = sandboxes.describe();
  log.info(
    d,
    `sandboxes: isolation ${d.isolation}${bwrap ? ' (bubblewrap namespaces, read-only code, private /tmp)' : ' (plain processes: no isolation)'}, limits ${d.limits}, ${d.prestart} pre-started runtimes, ${d.keepAlive} keep-alive`,
  );
  return sandboxes;
}

/**
 * The folder of the Runtime API sockets: short, since unix socket paths are limited to 107 bytes
 * (so not in the data dir), and named after this server's pid, so that folders of servers that
 * died without cleaning up (a SIGKILL, a crash) are removed here.
 */
function socketsFolder(): string {
  const base = tmpdir().length <= 40 ? tmpdir() : '/tmp';
  for (const name of readdirSync(base)) {
    const m = /^nimbus-(\d+)-[A-Za-z0-9]{6}$/.exec(name);
    if (!m || isRunning(Number(m[1]))) continue;
    const dir = join(base, name);
    // Only what this code makes: folders of sandbox and zygote ids.
    if (readdirSync(dir).every((e) => /^(z[0-9a-f]{16}|[0-9a-f]{32})$/.test(e))) {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return mkdtempSync(join(base, `nimbus-${process.pid}-`));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
