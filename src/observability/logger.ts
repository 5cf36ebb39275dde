import pino from 'pino';

/** Structured server log (not function logs). */
export type Logger = pino.Logger;

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'nimbus' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

export const silentLogger: Logger = pino({ level: 'silent' });
