import { randomUUID } from 'node:crypto';
import type { FunctionRef } from '../domain/arn.js';
import type { AsyncEventState } from '../domain/async-invoke.js';
import type { Clock } from '../domain/clock.js';
import { LambdaError, notFound } from '../domain/errors.js';
import { eventTraceHeader } from '../invoke/trace-header.js';
import type { ResolvedFunction } from '../registry/function-registry.js';
import type { AsyncEvent, AsyncEventStore, AsyncEventSummary } from '../store/ports.js';
import type { AsyncInvokeRequest, EventInvoker } from './ports.js';

export interface EventQueueOptions {
  store: AsyncEventStore;
  /** Resolves a function that can run, or throws its LambdaError (InvokeService.check). */
  check: (ref: FunctionRef) => Promise<ResolvedFunction>;
  clock: Clock;
  /** Told about every event that became due (the dispatcher). */
  onDue: (functionName: string, dueAt: number) => void;
}

/**
 * The front of the asynchronous queue: accepts events (durably, before anyone is told they were
 * accepted), and lets operators inspect and replay them.
 */
export class EventQueue implements EventInvoker {
  constructor(private readonly o: EventQueueOptions) {}

  async invokeAsync(req: AsyncInvokeRequest): Promise<string> {
    const resolved = await this.o.check(req.ref);
    const requestId = req.requestId ?? randomUUID();
    const now = this.o.clock.now();
    const functionName = resolved.version.name;
    try {
      await this.o.store.enqueue({
        requestId,
        functionName,
        ...(req.ref.qualifier === undefined ? {} : { qualifier: req.ref.qualifier }),
        payload: req.payload,
        // Fixed now, so every attempt of the event continues one trace.
        traceId: eventTraceHeader(req.traceId, now),
        enqueuedAt: now,
      });
    } catch (e) {
      // Deleted between the check and the commit: the foreign key refused the event.
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
        throw notFound(`Function not found: ${resolved.invokedArn}`);
      }
      // The caller chose the id and an event with it is already kept: it was accepted before (a
      // scheduler handing a slot over again after a crash). One id, one event.
      if (req.requestId !== undefined && (e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        return requestId;
      }
      throw new LambdaError('ServiceException', 'The event could not be stored. Try again.', { cause: e });
    }
    this.o.onDue(functionName, now);
    return requestId;
  }

  list(
    functionName: string,
    q: { states?: readonly AsyncEventState[]; afterSeq?: number; limit: number },
  ): Promise<AsyncEventSummary[]> {
    return this.o.store.list(functionName, q);
  }

  get(functionName: string, requestId: string): Promise<AsyncEvent | undefined> {
    return this.o.store.get(functionName, requestId);
  }

  counts(functionName: string): Promise<Partial<Record<AsyncEventState, number>>> {
    return this.o.store.countByState(functionName);
  }

  /**
   * Puts failed events back as new ones (attempts and age start over, same request id); with no
   * ids, every failed event of the function. Resolves to the ids put back.
   */
  async replay(functionName: string, requestIds?: readonly string[]): Promise<string[]> {
    const now = this.o.clock.now();
    const replayed = await this.o.store.replay(functionName, requestIds, now);
    if (replayed.length > 0) this.o.onDue(functionName, now);
    return replayed;
  }
}
