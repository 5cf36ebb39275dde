import type { Readable } from 'node:stream';
import type { Clock } from '../domain/clock.js';
import type { RawProcess } from './local-executor.js';

/**
 * Pre-started generic runtimes (SOCK, ATC'18; Fission's pool manager): Node processes that have
 * loaded and warmed the runtime and wait, before knowing any function, for one line with their
 * function's environment. A cold start then costs linking the code and loading the handler
 * instead of starting Node (~60 ms here). Zygotes come in profiles (under bubblewrap, one per
 * `/tmp` size, which is fixed at start): the default profile keeps `target` of them, a profile
 * first seen at a cold start keeps one from then on (the four most recently used).
 *
 * A cold start takes the oldest zygote of its profile, warm or still booting (a booting one is
 * still ahead of a fresh process), and a replacement is started right after. A zygote that dies
 * before it is used is replaced; three deaths in a row before becoming ready stop that profile,
 * so a broken runtime cannot turn into a crash loop.
 */
interface Entry {
  raw: RawProcess;
  ready: boolean;
}

interface Profile {
  key: string;
  ephemeralStorageMb: number;
  target: number;
  entries: Entry[];
  lastUsed: number;
  failures: number;
  /** First seen at a cold start (not kept by configuration). */
  learned: boolean;
}

export interface ZygotePoolOptions {
  target: number;
  clock: Clock;
  start: (ephemeralStorageMb: number) => RawProcess;
  /** Releases what a zygote held once it is gone without having been used. */
  discard: (raw: RawProcess) => void;
  onWarning?: (message: string) => void;
}

const MAX_LEARNED_PROFILES = 4;
const REFILL_DELAY_MS = 50;
const MAX_FAILURES = 3;

export class ZygotePool {
  readonly #profiles = new Map<string, Profile>();
  #closed = false;

  constructor(private readonly o: ZygotePoolOptions) {}

  /** Keeps `target` zygotes of a profile from now on. */
  keep(key: string, ephemeralStorageMb: number): void {
    if (this.o.target <= 0) return;
    const p = this.#profile(key, ephemeralStorageMb, false);
    p.target = this.o.target;
    p.learned = false;
    this.#refill(p);
  }

  /** A zygote for a cold start, or undefined (the caller starts a fresh process). */
  take(key: string, ephemeralStorageMb: number): RawProcess | undefined {
    if (this.#closed || this.o.target <= 0) return undefined;
    const p = this.#profile(key, ephemeralStorageMb, true);
    p.lastUsed = this.o.clock.monotonic();
    const i = Math.max(
      0,
      p.entries.findIndex((e) => e.ready),
    );
    const [entry] = p.entries.splice(i, 1);
    // Not at once: starting a process blocks the server's thread for a few milliseconds, which
    // would land in the middle of the cold start this zygote is serving.
    this.o.clock.setTimeout(() => this.#refill(p), REFILL_DELAY_MS);
    if (!entry) return undefined;
    detach(entry.raw);
    return entry.raw;
  }

  counts(): { alive: number; ready: number } {
    let alive = 0;
    let ready = 0;
    for (const p of this.#profiles.values()) {
      alive += p.entries.length;
      ready += p.entries.filter((e) => e.ready).length;
    }
    return { alive, ready };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#profiles.values()].flatMap((p) => p.entries);
    this.#profiles.clear();
    for (const e of all) e.raw.child.kill('SIGKILL');
    await Promise.all(all.map((e) => e.raw.exited));
  }

  #profile(key: string, ephemeralStorageMb: number, learn: boolean): Profile {
    let p = this.#profiles.get(key);
    if (p) return p;
    const learned = [...this.#profiles.values()].filter((x) => x.learned);
    if (learn && learned.length >= MAX_LEARNED_PROFILES) {
      const oldest = learned.reduce((a, b) => (a.lastUsed <= b.lastUsed ? a : b));
      this.#profiles.delete(oldest.key);
      for (const e of oldest.entries) e.raw.child.kill('SIGKILL');
    }
    p = {
      key,
      ephemeralStorageMb,
      target: learn ? 1 : this.o.target,
      entries: [],
      lastUsed: this.o.clock.monotonic(),
      failures: 0,
      learned: learn,
    };
    this.#profiles.set(key, p);
    return p;
  }

  #refill(p: Profile): void {
    while (!this.#closed && this.#profiles.get(p.key) === p && p.entries.length < p.target) {
      if (p.failures >= MAX_FAILURES) return;
      let raw: RawProcess;
      try {
        raw = this.o.start(p.ephemeralStorageMb);
      } catch (e) {
        p.failures++;
        this.o.onWarning?.(`a runtime could not be pre-started: ${(e as Error).message}`);
        continue;
      }
      const entry: Entry = { raw, ready: false };
      p.entries.push(entry);
      const control = raw.child.stdio[3] as Readable | null | undefined;
      control?.setEncoding('utf8');
      control?.on('data', (chunk: string) => {
        if (!chunk.includes('ready')) return;
        entry.ready = true;
        p.failures = 0;
      });
      control?.on('error', () => {});
      void raw.exited.then(() => {
        const i = p.entries.indexOf(entry);
        if (i === -1) return; // taken: the sandbox owns it now
        p.entries.splice(i, 1);
        this.o.discard(raw);
        if (!entry.ready && ++p.failures >= MAX_FAILURES) {
          this.o.onWarning?.(
            `pre-started runtimes keep dying before they are ready; cold starts start fresh processes (${p.key})`,
          );
          return;
        }
        if (!this.#closed) this.o.clock.setTimeout(() => this.#refill(p), 0);
      });
    }
  }
}

/** The sandbox reads the zygote's output from now on; the control pipe is no longer ours. */
function detach(raw: RawProcess): void {
  const control = raw.child.stdio[3] as Readable | null | undefined;
  control?.removeAllListeners('data');
  control?.resume();
}
