import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SandboxPaths } from './executor.js';

/**
 * The view a sandbox gets under bubblewrap (lambda-reference §4.2 paths), built as bwrap
 * arguments. Tested on this host as root (platform-notes): namespaces of its own for mounts,
 * pids, IPC, UTS and users (the function runs as uid 993, like Lambda's sbx_user1051, with no
 * capabilities and no way to create further user namespaces); the host network, so it can reach
 * Nimbus's endpoint (AWS_ENDPOINT_URL) and the internet. Its Runtime API is a unix socket in a
 * folder only it has mounted, so other sandboxes, though on the same network, cannot reach it.
 *
 *   /usr (and the /lib, /bin symlinks or folders) read-only, the system's runtime
 *   /var/runtime   Nimbus's runtimes, read-only
 *   /var/task      the function's code, read-only
 *   /opt           layers, read-only
 *   /run/nimbus    the folder of its Runtime API's unix socket, and nothing else of the host's
 *   /tmp           a tmpfs capped at EphemeralStorage; /dev/shm likewise
 *   /etc           only hosts, resolv.conf, nsswitch.conf, certificates, and a passwd naming 993
 *   /proc          of its own pid namespace: it sees its own processes only
 *
 * Everything else (the data dir, other functions, the server's environment and files) is simply
 * not there; `/` and `/dev` are remounted read-only so the only writable places are the capped
 * tmpfs mounts. The sandbox dies with the server (`--die-with-parent`).
 */

export const SANDBOX_UID = 993;
export const SANDBOX_GID = 990;

export const BWRAP_PATHS: SandboxPaths = {
  taskRoot: '/var/task',
  runtimeDir: '/var/runtime',
  optDir: '/opt',
  tmpDir: '/tmp',
};

const ETC_FILES = ['hosts', 'resolv.conf', 'nsswitch.conf', 'host.conf', 'gai.conf', 'localtime'];
const ETC_DIRS = ['ssl', 'ca-certificates', 'pki'];
const ROOT_LINKS = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

export interface BwrapOptions {
  bwrap: string;
  /** Host folder of the built runtimes, seen as /var/runtime. */
  runtimesDir: string;
  /** Host folder of layers, seen as /opt. */
  optDir: string;
  /** Host folder where the synthetic /etc/passwd and /etc/group are written. */
  etcDir: string;
  /** The Node.js executable on the host. */
  nodeExecutable: string;
}

export interface BwrapLaunch {
  /** Host folder seen as /var/task. */
  taskDir: string;
  /** Host folder of the sandbox's Runtime API socket, seen as /run/nimbus. */
  socketDir: string;
  /** Host folder of the function's merged layers, seen as /opt (default: the empty one). */
  optDir?: string;
  /** An /etc/hosts of the sandbox's own (naming its Runtime API host), over the host's. */
  hostsFile?: string;
  ephemeralStorageMb: number;
  /** Command and arguments as seen inside. */
  command: string[];
}

export class Bwrap {
  /** Node as seen from inside: the host's path when it lives in /usr, else /var/lang/bin/node. */
  readonly nodeExecutable: string;
  readonly #fixed: string[];

  constructor(private readonly o: BwrapOptions) {
    const prefix = dirname(dirname(o.nodeExecutable));
    const inUsr = o.nodeExecutable.startsWith('/usr/');
    this.nodeExecutable = inUsr ? o.nodeExecutable : `/var/lang/bin/${basename(o.nodeExecutable)}`;
    writeEtc(o.etcDir);
    const args = [
      '--unshare-all',
      '--share-net',
      '--unshare-user',
      '--uid',
      String(SANDBOX_UID),
      '--gid',
      String(SANDBOX_GID),
      '--disable-userns',
      '--cap-drop',
      'ALL',
      '--die-with-parent',
      '--new-session',
      '--hostname',
      'localhost',
      '--ro-bind',
      '/usr',
      '/usr',
    ];
    for (const name of ROOT_LINKS) {
      const path = `/${name}`;
      if (!existsSync(path)) continue;
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(path), path);
      else args.push('--ro-bind', path, path);
    }
    if (!inUsr) args.push('--ro-bind', prefix, '/var/lang');
    for (const f of ETC_FILES) args.push('--ro-bind-try', `/etc/${f}`, `/etc/${f}`);
    for (const d of ETC_DIRS) args.push('--ro-bind-try', `/etc/${d}`, `/etc/${d}`);
    args.push('--ro-bind', join(o.etcDir, 'passwd'), '/etc/passwd');
    args.push('--ro-bind', join(o.etcDir, 'group'), '/etc/group');
    args.push('--proc', '/proc', '--dev', '/dev');
    args.push('--ro-bind', o.runtimesDir, BWRAP_PATHS.runtimeDir);
    this.#fixed = args;
  }

  /** The full bwrap command line for one sandbox. */
  argv(launch: BwrapLaunch): string[] {
    const size = String(launch.ephemeralStorageMb * 1_048_576);
    return [
      this.o.bwrap,
      ...this.#fixed,
      '--size',
      size,
      '--perms',
      '1777',
      '--tmpfs',
      '/tmp',
      '--size',
      size,
      '--perms',
      '1777',
      '--tmpfs',
      '/dev/shm',
      '--ro-bind',
      launch.optDir ?? this.o.optDir,
      BWRAP_PATHS.optDir,
      '--ro-bind',
      launch.taskDir,
      BWRAP_PATHS.taskRoot,
      '--ro-bind',
      launch.socketDir,
      '/run/nimbus',
      ...(launch.hostsFile ? ['--ro-bind', launch.hostsFile, '/etc/hosts'] : []),
      '--remount-ro',
      '/dev',
      '--remount-ro',
      '/',
      '--chdir',
      BWRAP_PATHS.taskRoot,
      ...launch.command,
    ];
  }

  /**
   * The bwrap executable when it works here with the options Nimbus needs, else why not. Runs a
   * throwaway sandbox once (a few milliseconds).
   */
  static detect(): { bwrap?: string; reason?: string } {
    const bwrap = ['/usr/bin/bwrap', '/usr/local/bin/bwrap', '/bin/bwrap'].find((p) => existsSync(p));
    if (!bwrap) return { reason: 'bubblewrap is not installed (apt-get install -y bubblewrap)' };
    try {
      execFileSync(
        bwrap,
        [
          '--unshare-all',
          '--share-net',
          '--unshare-user',
          '--uid',
          String(SANDBOX_UID),
          '--disable-userns',
          '--cap-drop',
          'ALL',
          '--die-with-parent',
          '--ro-bind',
          '/',
          '/',
          '--proc',
          '/proc',
          '--size',
          '1048576',
          '--tmpfs',
          '/tmp',
          '--remount-ro',
          '/',
          '/bin/true',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 },
      );
      return { bwrap };
    } catch (e) {
      const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
      return { reason: `bubblewrap cannot create sandboxes here: ${stderr || (e as Error).message}` };
    }
  }
}

/** A passwd and group naming the sandbox user, so `os.userInfo()` and friends work inside. */
function writeEtc(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'passwd'),
    `root:x:0:0:root:/root:/sbin/nologin\nsbx_user1051:x:${SANDBOX_UID}:${SANDBOX_GID}::/tmp:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n`,
  );
  writeFileSync(join(dir, 'group'), `root:x:0:\nsbx_user1051:x:${SANDBOX_GID}:\nnogroup:x:65534:\n`);
}
