/** Shapes of `/nimbus/v1` answers the console reads. */
export interface ServerStatus {
  version: string;
  region: string;
  accountId: string;
  authentication: 'sigv4' | 'off';
  isolation: string;
  functions: number;
  concurrency: { limit: number; inFlight: number };
  sandboxes: { idle: number; busy: number; starting: number; waiting?: number };
}

export interface RuntimeOffer {
  runtime: string;
  family: string;
  language: 'javascript' | 'python' | 'text';
  handler: string;
  fileName: string;
  /** Must be executable in the package (a custom runtime's `bootstrap`). */
  executable?: boolean;
  template: string;
}

export interface SeriesPoint {
  t: number;
  invocations: number;
  errors: number;
  throttles: number;
  coldStarts: number;
  durationP50: number | null;
  durationP99: number | null;
  durationMax: number | null;
  concurrency: number;
}

export interface Series {
  since: number;
  until: number;
  period: number;
  points: SeriesPoint[];
}

export interface LogEvent {
  id: number;
  functionName: string;
  logStream: string;
  requestId?: string;
  timestamp: number;
  message: string;
}

export interface Invocation {
  requestId: string;
  version: string;
  invocationType: string;
  startedAt: number;
  durationMs: number;
  billedMs: number;
  memoryMb: number;
  maxMemoryMb: number;
  initDurationMs?: number;
  cold: boolean;
  outcome: string;
  errorType?: string;
}

export interface UsageRow {
  functionName: string;
  period?: number;
  architecture: string;
  requests: number;
  errors: number;
  coldStarts: number;
  durationMs: number;
  billedMs: number;
  gbSeconds: number;
  requestCost: number;
  computeCost: number;
  cost: number;
}

export interface Usage {
  rows: UsageRow[];
  total: { requests: number; errors: number; gbSeconds: number; cost: number };
  prices: { perRequest: number; perGbSecondX86: number; perGbSecondArm: number };
  currency: string;
}

export interface TestEvent {
  name: string;
  event: string;
  updatedAt: number;
}
