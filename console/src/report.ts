/** The REPORT figures of an invocation, from its log tail (text or JSON log format). */
export interface ReportFigures {
  requestId: string;
  durationMs: number;
  billedMs: number;
  memoryMb: number;
  maxMemoryMb: number;
  initDurationMs?: number;
}

const TEXT =
  /REPORT RequestId: (\S+)\tDuration: ([\d.]+) ms\tBilled Duration: (\d+) ms\tMemory Size: (\d+) MB\tMax Memory Used: (\d+) MB(?:\tInit Duration: ([\d.]+) ms)?/;

export function parseReport(log: string): ReportFigures | undefined {
  for (const line of log.split('\n').reverse()) {
    const m = TEXT.exec(line);
    if (m) {
      return {
        requestId: m[1]!,
        durationMs: Number(m[2]),
        billedMs: Number(m[3]),
        memoryMb: Number(m[4]),
        maxMemoryMb: Number(m[5]),
        ...(m[6] ? { initDurationMs: Number(m[6]) } : {}),
      };
    }
    if (line.startsWith('{') && line.includes('"platform.report"')) {
      try {
        const r = JSON.parse(line) as {
          record: { requestId: string; metrics: Record<string, number | undefined> };
        };
        const mt = r.record.metrics;
        return {
          requestId: r.record.requestId,
          durationMs: mt.durationMs ?? 0,
          billedMs: mt.billedDurationMs ?? 0,
          memoryMb: mt.memorySizeMB ?? 0,
          maxMemoryMb: mt.maxMemoryUsedMB ?? 0,
          ...(mt.initDurationMs === undefined ? {} : { initDurationMs: mt.initDurationMs }),
        };
      } catch {
        // not a report record after all
      }
    }
  }
  return undefined;
}
