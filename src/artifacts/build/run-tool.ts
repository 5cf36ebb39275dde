import { spawn } from 'node:child_process';
import { killGroup } from '../../sandbox/local-executor.js';

export interface ToolRun {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** Every output line (stdout and stderr interleaved as they arrive). */
  onLine: (line: string) => void;
  /** Aborting kills the tool (and whatever it started). */
  signal?: AbortSignal;
}

export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** The output lines (the first {@link KEPT_LINES}), for the failure message. */
  tail: string[];
}

const KEPT_LINES = 500;

/** Runs an installer in its own process group with an explicit environment; never rejects. */
export function runTool(run: ToolRun): Promise<ToolResult> {
  return new Promise((resolve) => {
    const tail: string[] = [];
    const line = (l: string) => {
      const text = l.replace(/\r$/, '');
      if (text.trim() === '') return;
      if (tail.length < KEPT_LINES) tail.push(text);
      run.onLine(text);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(run.command, run.args, {
        cwd: run.cwd,
        env: run.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
    } catch (e) {
      line(String(e));
      resolve({ code: null, signal: null, timedOut: false, tail });
      return;
    }
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, run.timeoutMs);
    const abort = () => killGroup(child.pid);
    run.signal?.addEventListener('abort', abort, { once: true });
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const l of lines) line(l);
      });
      stream?.on('end', () => {
        if (pending) line(pending);
        pending = '';
      });
    }
    child.once('error', (e) => line(`${run.command}: ${e.message}`));
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', abort);
      resolve({ code, signal, timedOut, tail });
    });
  });
}
