/** The lines Lambda's platform writes around each invocation (lambda-reference §6.1). */

export const startLine = (requestId: string, version: string) =>
  `START RequestId: ${requestId} Version: ${version}`;

export const endLine = (requestId: string) => `END RequestId: ${requestId}`;

export interface ReportFigures {
  requestId: string;
  durationMs: number;
  billedMs: number;
  memoryMb: number;
  maxMemoryMb: number;
  initDurationMs?: number;
  status?: 'timeout' | 'error';
}

export function reportLine(r: ReportFigures): string {
  let line =
    `REPORT RequestId: ${r.requestId}\tDuration: ${r.durationMs.toFixed(2)} ms\t` +
    `Billed Duration: ${r.billedMs} ms\tMemory Size: ${r.memoryMb} MB\tMax Memory Used: ${r.maxMemoryMb} MB`;
  if (r.initDurationMs !== undefined) line += `\tInit Duration: ${r.initDurationMs.toFixed(2)} ms`;
  if (r.status === 'timeout') line += '\tStatus: timeout';
  return line;
}

export const timeoutLine = (isoTime: string, requestId: string, timeoutSeconds: number) =>
  `${isoTime} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;

export const initStartLine = (runtime: string, nodeVersion: string) =>
  `INIT_START Runtime Version: ${runtime.replace(/\.x$/, '')}.nimbus-${nodeVersion}`;

/** Billing rounds up to the millisecond; the init phase is billed too (since 2025-08-01). */
export function billedMilliseconds(durationMs: number, initDurationMs = 0): number {
  return Math.max(1, Math.ceil(durationMs + initDurationMs));
}
