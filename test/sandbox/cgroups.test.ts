import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CgroupSlot } from '../../src/sandbox/cgroups.js';

/**
 * The control files each cgroup version uses, written and read back in plain folders standing in
 * for cgroupfs (this host only has v1's memory controller; CI hosts may be pure v2).
 */
function folders(...names: string[]): Record<string, string> {
  const root = mkdtempSync(join(tmpdir(), 'nimbus-cg-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  return Object.fromEntries(
    names.map((n) => {
      const dir = join(root, n);
      mkdirSync(dir);
      return [n, dir];
    }),
  );
}
const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

describe('cgroup v2 files', () => {
  it('caps memory without swap, weights CPU by memory, reads the peak, OOM kills and members', () => {
    const { unified } = folders('unified');
    const slot = new CgroupSlot(2, [{ name: 'unified', dir: unified! }]);
    slot.apply(1769);
    expect([
      read(unified!, 'memory.max'),
      read(unified!, 'memory.swap.max'),
      read(unified!, 'cpu.weight'),
    ]).toEqual([String(1769 * 1_048_576), '0', '100']);
    slot.apply(128);
    expect(read(unified!, 'cpu.weight')).toBe('7');
    slot.background();
    expect(read(unified!, 'cpu.weight')).toBe('1');
    writeFileSync(join(unified!, 'memory.peak'), '73400320\n');
    writeFileSync(
      join(unified!, 'memory.events'),
      'low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n',
    );
    writeFileSync(join(unified!, 'cgroup.procs'), '12\n34\n');
    expect([slot.peakBytes(), slot.oomKilled(), slot.pids()]).toEqual([73_400_320, true, [12, 34]]);
    writeFileSync(join(unified!, 'memory.events'), 'oom 0\noom_kill 0\n');
    expect(slot.oomKilled()).toBe(false);
    expect(slot.joinArgs(['node', 'x.js'])).toEqual([
      '-c',
      expect.stringContaining('exec "$@"'),
      'sh',
      '1',
      join(unified!, 'cgroup.procs'),
      'node',
      'x.js',
    ]);
  });
});

describe('cgroup v1 files', () => {
  it('uses one folder per controller, raising memsw before the limit it bounds', () => {
    const dirs = folders('memory', 'pids', 'cpu');
    const slot = new CgroupSlot(
      1,
      Object.entries(dirs).map(([name, dir]) => ({ name, dir })),
    );
    slot.apply(512);
    expect(read(dirs.memory!, 'memory.limit_in_bytes')).toBe(String(512 * 1_048_576));
    expect(read(dirs.memory!, 'memory.memsw.limit_in_bytes')).toBe(String(512 * 1_048_576));
    expect(read(dirs.cpu!, 'cpu.shares')).toBe(String(Math.round((512 / 1769) * 1024)));
    writeFileSync(join(dirs.memory!, 'memory.max_usage_in_bytes'), '134217728\n');
    writeFileSync(join(dirs.memory!, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
    expect([slot.peakBytes(), slot.oomKilled()]).toEqual([134_217_728, true]);
    expect(slot.paths).toEqual([dirs.memory, dirs.pids, dirs.cpu]);
    expect(slot.joinArgs(['node']).slice(3, 7)).toEqual([
      '3',
      join(dirs.memory!, 'cgroup.procs'),
      join(dirs.pids!, 'cgroup.procs'),
      join(dirs.cpu!, 'cgroup.procs'),
    ]);
  });
});
