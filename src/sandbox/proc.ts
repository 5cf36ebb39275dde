import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Small readers of Linux's /proc, for bookkeeping the server does about its sandboxes: telling a
 * recorded pid from a later process that reused it, finding everything a sandbox started, and
 * finding which process holds the other end of a loopback TCP connection.
 */

/** Start time of a process in clock ticks since boot (field 22 of stat); undefined if gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** `root` and every process below it, found by walking parent links of all processes. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of safeReaddir('/proc')) {
    if (name.charCodeAt(0) > 57) continue;
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid);
      if (list) list.push(pid);
      else children.set(ppid, [pid]);
    } catch {
      // exited while we looked
    }
  }
  const tree: number[] = [];
  const walk = (pid: number) => {
    tree.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return tree;
}

/**
 * The socket inode of the client end of a loopback TCP connection: the entry of /proc/net/tcp
 * whose local port is `clientPort` and whose remote port is `serverPort` (both on 127.0.0.1).
 */
export function clientSocketInode(clientPort: number, serverPort: number): string | undefined {
  const local = `0100007F:${hex4(clientPort)}`;
  const remote = `0100007F:${hex4(serverPort)}`;
  const table = (() => {
    try {
      return readFileSync('/proc/net/tcp', 'latin1');
    } catch {
      return '';
    }
  })();
  for (const line of table.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[1] === local && f[2] === remote) return f[9];
  }
  return undefined;
}

/** Whether one of `pids` has the socket `inode` open. */
export function holdsSocket(pids: readonly number[], inode: string): boolean {
  const target = `socket:[${inode}]`;
  for (const pid of pids) {
    for (const fd of safeReaddir(`/proc/${pid}/fd`)) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return true;
      } catch {
        // closed meanwhile
      }
    }
  }
  return false;
}

function hex4(port: number): string {
  return port.toString(16).toUpperCase().padStart(4, '0');
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
