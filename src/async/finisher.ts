import type { AsyncCondition, EffectiveEventInvokeConfig } from '../domain/async-invoke.js';
import type { Clock } from '../domain/clock.js';
import type { Logger } from '../observability/logger.js';
import type { AsyncEvent, AsyncEventStore, AsyncResponse } from '../store/ports.js';
import { invocationRecord } from './invocation-record.js';
import type { DestinationMessage } from './ports.js';

export interface FinisherOptions {
  store: AsyncEventStore;
  send: (arn: string, message: DestinationMessage) => Promise<void>;
  deadLetterTarget: (functionName: string, qualifier: string | undefined) => Promise<string | undefined>;
  functionArn: (name: string, qualifier?: string) => string;
  clock: Clock;
  log: Pick<Logger, 'warn'>;
}

export interface FinishInput {
  /** Undefined when the function is gone: no destination is told. */
  condition: AsyncCondition | undefined;
  attempts: number;
  response?: AsyncResponse;
  executedVersion?: string;
  lastError?: string;
}

/** The dead-letter `ErrorMessage` attribute carries the first 1 KB of the error. */
const DLQ_ERROR_MESSAGE_MAX = 1_024;

/**
 * Ends an event: sends the invocation record to its OnSuccess/OnFailure destination and, on
 * failure, the original event to the function's dead-letter queue, then records the end. A
 * destination that cannot take the record (it was deleted since) does not lose the event: it is
 * kept as failed, with the reason, and can be replayed. Deliveries happen before the end is
 * recorded, so a crash in between repeats them rather than skipping them (at-least-once).
 */
export class Finisher {
  constructor(private readonly o: FinisherOptions) {}

  async finish(event: AsyncEvent, config: EffectiveEventInvokeConfig, f: FinishInput): Promise<void> {
    const problems: string[] = [];
    if (f.condition) {
      const sourceFunctionArn = this.o.functionArn(event.functionName, event.qualifier ?? '$LATEST');
      const record = invocationRecord({
        timestamp: this.o.clock.now(),
        requestId: event.requestId,
        functionArn: sourceFunctionArn,
        condition: f.condition,
        approximateInvokeCount: f.attempts,
        requestPayload: event.payload,
        ...(f.response ? { response: f.response } : {}),
        ...(f.executedVersion ? { executedVersion: f.executedVersion } : {}),
      });
      const success = f.condition === 'Success';
      const destination = success ? config.onSuccess : config.onFailure;
      if (destination) {
        await this.#deliver(
          destination,
          { body: record, requestId: event.requestId, sourceFunctionArn },
          (why) => problems.push(`${success ? 'OnSuccess' : 'OnFailure'} destination ${destination}: ${why}`),
        );
      }
      const deadLetter = success
        ? undefined
        : await this.o.deadLetterTarget(event.functionName, f.executedVersion ?? event.qualifier);
      if (deadLetter) {
        const message: DestinationMessage = {
          body: event.payload,
          attributes: {
            RequestID: event.requestId,
            ErrorCode: f.response?.statusCode ?? 500,
            ErrorMessage: errorMessage(f).slice(0, DLQ_ERROR_MESSAGE_MAX),
          },
          requestId: event.requestId,
          sourceFunctionArn,
        };
        await this.#deliver(deadLetter, message, (why) =>
          problems.push(`DeadLetterConfig ${deadLetter}: ${why}`),
        );
      }
    }
    const failed = f.condition !== 'Success' || problems.length > 0;
    const lastError = [f.lastError, ...problems].filter(Boolean).join('; ');
    await this.o.store.finish(event.seq, {
      state: failed ? 'failed' : 'succeeded',
      attempts: f.attempts,
      ...(f.condition ? { condition: f.condition } : {}),
      ...(lastError ? { lastError } : {}),
      ...(f.response ? { lastResponse: f.response } : {}),
      at: this.o.clock.now(),
    });
  }

  async #deliver(arn: string, message: DestinationMessage, problem: (why: string) => void): Promise<void> {
    try {
      await this.o.send(arn, message);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      this.o.log.warn(
        { err, requestId: message.requestId, destination: arn },
        'an asynchronous destination did not take its message; the event is kept as failed',
      );
      problem(why);
    }
  }
}

function errorMessage(f: FinishInput): string {
  const payload = f.response?.payload;
  if (payload) {
    try {
      const e = JSON.parse(payload.toString('utf8')) as { errorMessage?: unknown };
      if (typeof e.errorMessage === 'string') return e.errorMessage;
    } catch {
      // not JSON: fall back to the recorded error
    }
  }
  return f.lastError ?? '';
}
