/** A line of a function's log, as the sandbox hands it to whoever keeps logs. */
export interface SandboxLogEvent {
  functionName: string;
  logStream: string;
  requestId?: string;
  timestamp: number;
  message: string;
}

export interface LogSink {
  write(event: SandboxLogEvent): void;
}

export const discardLogs: LogSink = { write() {} };
