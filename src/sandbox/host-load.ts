import { cpus } from 'node:os';
import type { Clock, Timer } from '../domain/clock.js';

/**
 * Whether the host's CPUs are saturated, sampled a few times a second. When they are, another
 * sandbox cannot serve a queue of short invocations any sooner (there is no CPU to run it on); it
 * only adds a process to wake. Pools then let such queues wait instead of growing.
 */
export class HostLoad {
  #last: CpuTimes;
  #busy = 0;
  #timer?: Timer;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs = HOST_LOAD_INTERVAL_MS,
    private readonly read: () => CpuTimes = cpuTimes,
  ) {
    this.#last = read();
    this.#schedule();
  }

  /** Share of CPU time busy over the last interval (0..1). */
  get busy(): number {
    return this.#busy;
  }

  get saturated(): boolean {
    return this.#busy >= SATURATED_BUSY;
  }

  close(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #schedule(): void {
    this.#timer = this.clock.setTimeout(() => {
      const now = this.read();
      const total = now.total - this.#last.total;
      this.#busy = total > 0 ? 1 - (now.idle - this.#last.idle) / total : 0;
      this.#last = now;
      this.#schedule();
    }, this.intervalMs);
  }
}

const HOST_LOAD_INTERVAL_MS = 250;
const SATURATED_BUSY = 0.9;

/** Cumulative CPU time of all CPUs, idle and in total (ms). */
export interface CpuTimes {
  idle: number;
  total: number;
}

function cpuTimes(): CpuTimes {
  let idle = 0;
  let total = 0;
  for (const c of cpus()) {
    idle += c.times.idle;
    total += c.times.user + c.times.nice + c.times.sys + c.times.idle + c.times.irq;
  }
  return { idle, total };
}
