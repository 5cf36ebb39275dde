/**
 * The lines Lambda's platform writes around each invocation (lambda-reference §6.1), in the
 * function's log format. `Text` gives START/END/REPORT; `JSON` (LoggingConfig.LogFormat) gives one
 * Telemetry-API-shaped object per line, as Lambda writes them to CloudWatch Logs:
 * `{"time":…,"type":"platform.start","record":{"requestId","version"}}`, `platform.runtimeDone`
 * (status, errorType) in place of END, and `platform.report` with `record.metrics`
 * (durationMs, billedDurationMs, memorySizeMB, maxMemoryUsedMB, initDurationMs on cold starts).
 */

export const startLine = (requestId: string, version: string) =>
  `START RequestId: ${requestId} Version: ${version}`;

export const endLine = (requestId: string) => `END RequestId: ${requestId}`;

/** How an invocation ended, in the Telemetry API's words. */
export type PlatformStatus = 'success' | 'error' | 'timeout';

export interface ReportFigures {
  requestId: string;
  durationMs: number;
  billedMs: number;
  memoryMb: number;
  maxMemoryMb: number;
  initDurationMs?: number;
  status?: 'timeout' | 'error';
  errorType?: string;
  /** The invocation's trace header (`Root=…;Parent=…;Sampled=…`). */
  traceHeader?: string;
}

/** `\tXRAY TraceId: …\tSegmentId: …\tSampled: true`, which Lambda adds when the invocation is traced. */
function xraySuffix(traceHeader: string | undefined): string {
  const field = (name: string) => new RegExp(`(?:^|;)${name}=([^;]+)`).exec(traceHeader ?? '')?.[1];
  const [root, parent] = [field('Root'), field('Parent')];
  if (field('Sampled') !== '1' || !root || !parent) return '';
  return `\tXRAY TraceId: ${root}\tSegmentId: ${parent}\tSampled: true`;
}

export function reportLine(r: ReportFigures): string {
  let line =
    `REPORT RequestId: ${r.requestId}\tDuration: ${r.durationMs.toFixed(2)} ms\t` +
    `Billed Duration: ${r.billedMs} ms\tMemory Size: ${r.memoryMb} MB\tMax Memory Used: ${r.maxMemoryMb} MB`;
  if (r.initDurationMs !== undefined) line += `\tInit Duration: ${r.initDurationMs.toFixed(2)} ms`;
  if (r.status === 'timeout') line += '\tStatus: timeout';
  return line + xraySuffix(r.traceHeader);
}

export const timeoutLine = (isoTime: string, requestId: string, timeoutSeconds: number) =>
  `${isoTime} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;

export const initStartLine = (runtime: string, nodeVersion: string) =>
  `INIT_START Runtime Version: ${runtimeVersion(runtime, nodeVersion)}`;

const runtimeVersion = (runtime: string, nodeVersion: string) =>
  `${runtime.replace(/\.x$/, '')}.nimbus-${nodeVersion}`;

/** Billing rounds up to the millisecond; the init phase is billed too (since 2025-08-01). */
export function billedMilliseconds(durationMs: number, initDurationMs = 0): number {
  return Math.max(1, Math.ceil(durationMs + initDurationMs));
}

/** The platform's lines in one log format. `undefined` means the format has no such line. */
export interface PlatformLog {
  initStart(runtime: string, nodeVersion: string, initializationType: string): string;
  initError(initMs: number, errorType: string, initializationType: string): string;
  start(requestId: string, version: string): string;
  end(requestId: string, status: PlatformStatus, durationMs: number, errorType?: string): string;
  report(r: ReportFigures): string;
  timeout(requestId: string, timeoutSeconds: number): string | undefined;
}

/** Rounded as Lambda prints them: three decimals in JSON records. */
const ms = (n: number) => Math.round(n * 1000) / 1000;

export function platformLog(format: 'Text' | 'JSON', now: () => number): PlatformLog {
  const iso = () => new Date(now()).toISOString();
  if (format === 'Text') {
    return {
      initStart: (runtime, nodeVersion) => initStartLine(runtime, nodeVersion),
      initError: (initMs, errorType) =>
        `INIT_REPORT Init Duration: ${initMs.toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: ${errorType}`,
      start: startLine,
      end: (requestId) => endLine(requestId),
      report: reportLine,
      timeout: (requestId, seconds) => timeoutLine(iso(), requestId, seconds),
    };
  }
  const line = (type: string, record: object) => JSON.stringify({ time: iso(), type, record });
  return {
    initStart: (runtime, nodeVersion, initializationType) =>
      line('platform.initStart', {
        initializationType,
        phase: 'init',
        runtimeVersion: runtimeVersion(runtime, nodeVersion),
      }),
    initError: (initMs, errorType, initializationType) =>
      line('platform.initReport', {
        initializationType,
        phase: 'init',
        status: 'error',
        errorType,
        metrics: { durationMs: ms(initMs) },
      }),
    start: (requestId, version) => line('platform.start', { requestId, version }),
    end: (requestId, status, durationMs, errorType) =>
      line('platform.runtimeDone', {
        requestId,
        status,
        ...(errorType && status !== 'success' ? { errorType } : {}),
        metrics: { durationMs: ms(durationMs) },
      }),
    report: (r) =>
      line('platform.report', {
        requestId: r.requestId,
        metrics: {
          durationMs: ms(r.durationMs),
          billedDurationMs: r.billedMs,
          memorySizeMB: r.memoryMb,
          maxMemoryUsedMB: r.maxMemoryMb,
          ...(r.initDurationMs === undefined ? {} : { initDurationMs: ms(r.initDurationMs) }),
        },
        status: r.status ?? 'success',
        ...(r.errorType && r.status ? { errorType: r.errorType } : {}),
      }),
    // The timeout shows as `status: timeout` on runtimeDone and report; no text line.
    timeout: () => undefined,
  };
}
