import { randomUUID } from 'node:crypto';
import { type AccountScope, parseFunctionRef } from '../../domain/arn.js';
import type { Clock } from '../../domain/clock.js';
import { conflict, invalidParameter, LambdaError, notFound } from '../../domain/errors.js';
import type { Logger } from '../../observability/logger.js';
import type { ScrapeScope } from '../../observability/metrics.js';
import type { FunctionRegistry } from '../../registry/function-registry.js';
import { KeyedMutex } from '../../registry/keyed-mutex.js';
import type { EventSourceMappingStore } from '../../store/ports.js';
import type { BatchInvoker } from './batch-invoker.js';
import { FilterPatternError, parsePattern } from './filter-pattern.js';
import type { Mapping, MappingState } from './mapping.js';
import { kindLabel, type MappingInput } from './mapping-input.js';
import type { EventSourceKind, RunningSource, SourceStatus } from './source-kind.js';

export interface MappingServiceOptions {
  store: EventSourceMappingStore;
  registry: FunctionRegistry;
  kinds: readonly EventSourceKind[];
  invoke: BatchInvoker;
  clock: Clock;
  log: Logger;
  scope: AccountScope;
  defaultMaxConcurrency: number;
}

/** At most this many filters per mapping (Lambda's default quota). */
const MAX_FILTERS = 5;

/**
 * Event source mappings: the API's create/get/list/update/delete, storage, and the state machine
 * (`Creating → Enabled`, `Updating`, `Enabling`/`Disabling → Disabled`, `Deleting → gone`). Each
 * call answers at once with the transitional state; the transition itself (starting or stopping
 * the source) completes in the background, one at a time per mapping.
 */
export class EventSourceMappingService {
  /** Sources running now, with the mapping each was started from. */
  readonly #running = new Map<string, { mapping: Mapping; source: RunningSource }>();
  readonly #mutex = new KeyedMutex();
  readonly #pending = new Set<Promise<void>>();
  #closed = false;
  #closing?: Promise<void>;

  constructor(private readonly o: MappingServiceOptions) {}

  async create(input: MappingInput): Promise<Mapping> {
    if (!input.functionName) throw invalidParameter('FunctionName is required.');
    const ref = parseFunctionRef(this.o.scope, input.functionName);
    await this.o.registry.require({ name: ref.name });
    const kind = this.#kindFor(input);
    const arnForDuplicates = input.eventSourceArn;
    if (arnForDuplicates) {
      const existing = await this.o.store.list({ eventSourceArn: arnForDuplicates, limit: 1000 });
      const same = existing.find((m) => m.functionName === ref.name && m.qualifier === ref.qualifier);
      if (same) {
        throw conflict(
          `An event source mapping with ${kindLabel[kind.kind]} arn (" ${arnForDuplicates} ") and function (" ${ref.name} ") already exists. Please update or delete the existing mapping with UUID ${same.uuid}`,
        );
      }
    }
    const draft: Mapping = {
      uuid: randomUUID(),
      kind: kind.kind,
      functionName: ref.name,
      ...(ref.qualifier !== undefined ? { qualifier: ref.qualifier } : {}),
      eventSourceArn: input.eventSourceArn ?? '',
      batchSize: input.batchSize ?? 0,
      maximumBatchingWindowInSeconds: input.maximumBatchingWindowInSeconds ?? 0,
      enabled: input.enabled ?? true,
      functionResponseTypes: input.functionResponseTypes ?? [],
      state: 'Creating',
      stateTransitionReason: 'USER_INITIATED',
      lastModified: this.o.clock.now(),
    };
    const mapping = await kind.prepare(applyOptional(draft, input), input);
    await this.o.store.create(mapping);
    this.#settleLater(mapping.uuid);
    return mapping;
  }

  async get(uuid: string): Promise<Mapping> {
    const m = await this.o.store.get(uuid);
    if (!m) throw notFound('The resource you requested does not exist.');
    return m;
  }

  async list(o: { functionName?: string; eventSourceArn?: string; afterUuid?: string; limit: number }) {
    let functionName: string | undefined;
    if (o.functionName !== undefined) functionName = parseFunctionRef(this.o.scope, o.functionName).name;
    return this.o.store.list({
      ...(functionName !== undefined ? { functionName } : {}),
      ...(o.eventSourceArn !== undefined ? { eventSourceArn: o.eventSourceArn } : {}),
      ...(o.afterUuid !== undefined ? { afterUuid: o.afterUuid } : {}),
      limit: o.limit,
    });
  }

  async update(uuid: string, input: MappingInput): Promise<Mapping> {
    return this.#mutex.run(uuid, async () => {
      const current = await this.get(uuid);
      if (current.state === 'Deleting') {
        throw new LambdaError(
          'ResourceInUseException',
          `Cannot update the event source mapping ${uuid} because it is being deleted.`,
        );
      }
      const kind = this.#kind(current.kind);
      let next: Mapping = {
        ...current,
        lastModified: this.o.clock.now(),
        stateTransitionReason: 'USER_INITIATED',
      };
      if (input.functionName !== undefined) {
        const ref = parseFunctionRef(this.o.scope, input.functionName);
        await this.o.registry.require({ name: ref.name });
        next.functionName = ref.name;
        if (ref.qualifier !== undefined) next.qualifier = ref.qualifier;
        else delete next.qualifier;
      }
      if (input.enabled !== undefined) next.enabled = input.enabled;
      if (input.batchSize !== undefined) next.batchSize = input.batchSize;
      if (input.maximumBatchingWindowInSeconds !== undefined)
        next.maximumBatchingWindowInSeconds = input.maximumBatchingWindowInSeconds;
      if (input.functionResponseTypes !== undefined) next.functionResponseTypes = input.functionResponseTypes;
      next = applyOptional(next, input);
      next = await kind.prepare(next, { ...input, eventSourceArn: current.eventSourceArn }, current);
      next.state = transitionalState(current, next);
      await this.o.store.update(next);
      this.#settleLater(uuid);
      return next;
    });
  }

  async delete(uuid: string): Promise<Mapping> {
    return this.#mutex.run(uuid, async () => {
      const current = await this.get(uuid);
      const next: Mapping = { ...current, state: 'Deleting', lastModified: this.o.clock.now() };
      await this.o.store.update(next);
      this.#settleLater(uuid);
      return next;
    });
  }

  /** The running source's view (lag, last error), or a stopped mapping's stored result. */
  async status(m: Mapping): Promise<SourceStatus> {
    const running = this.#running.get(m.uuid);
    if (running) return running.source.status();
    return { lastProcessingResult: m.lastProcessingResult ?? 'No records processed' };
  }

  /**
   * The lag of every running mapping that knows it (`nimbus_trigger_lag_seconds`): one status
   * read per mapping (SQS: the queue counts the scrape already read for `nimbus_sqs_messages`;
   * PostgreSQL: what it holds in memory).
   */
  async lags(scrape?: ScrapeScope): Promise<{ mapping: Mapping; lagSeconds: number }[]> {
    const out: { mapping: Mapping; lagSeconds: number }[] = [];
    for (const { mapping, source } of [...this.#running.values()]) {
      const { lagSeconds } = await source.status(scrape);
      if (lagSeconds !== undefined) out.push({ mapping, lagSeconds });
    }
    return out;
  }

  /** Starts every mapping that should run and finishes transitions a previous run left open. */
  async start(): Promise<void> {
    for (const m of await this.o.store.all()) this.#settleLater(m.uuid);
  }

  /** Stops every source (each stops polling at once) and waits for transitions in progress. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      const stopping = [...this.#running.values()].map((r) => r.source.close());
      await Promise.allSettled([...this.#pending]);
      stopping.push(...[...this.#running.values()].map((r) => r.source.close()));
      this.#running.clear();
      await Promise.allSettled(stopping);
    })();
    return this.#closing;
  }

  /** Waits until no transition is in progress (tests use it). */
  async settled(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
  }

  #settleLater(uuid: string): void {
    if (this.#closed) return;
    const p = this.#mutex
      .run(uuid, () => this.#settle(uuid))
      .catch((err: unknown) => this.o.log.error({ err, uuid }, 'event source mapping transition failed'));
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  /** Completes the mapping's transition: stops the source, then starts it, stops it or deletes it. */
  async #settle(uuid: string): Promise<void> {
    const m = await this.o.store.get(uuid);
    const previous = this.#running.get(uuid);
    this.#running.delete(uuid);
    await previous?.source.close();
    if (!m || this.#closed) return;
    const kind = this.#kind(m.kind);
    if (m.state === 'Deleting') {
      try {
        await kind.cleanup?.(m);
      } catch (err) {
        this.o.log.warn({ err, uuid }, 'cleaning up after an event source mapping failed');
      }
      await this.o.store.delete(uuid);
      return;
    }
    const state: MappingState = m.enabled ? 'Enabled' : 'Disabled';
    if (m.state !== state) await this.o.store.update({ ...m, state });
    if (!m.enabled) return;
    const mapping: Mapping = { ...m, state };
    this.#running.set(uuid, {
      mapping,
      source: kind.start(mapping, {
        invoke: this.o.invoke,
        clock: this.o.clock,
        log: this.o.log.child({ mapping: uuid, kind: m.kind }),
        defaultMaxConcurrency: this.o.defaultMaxConcurrency,
        checkpoint: {
          load: () => this.o.store.loadCheckpoint(uuid),
          save: (v) => this.o.store.saveCheckpoint(uuid, v),
        },
        onProcessingResult: (result) => this.#recordResult(uuid, result),
      }),
    });
  }

  #recordResult(uuid: string, result: string): void {
    void this.#mutex
      .run(uuid, async () => {
        const m = await this.o.store.get(uuid);
        if (m && m.lastProcessingResult !== result)
          await this.o.store.update({ ...m, lastProcessingResult: result });
      })
      .catch((err: unknown) => this.o.log.warn({ err, uuid }, 'recording the processing result failed'));
  }

  #kindFor(source: MappingInput): EventSourceKind {
    const kind = this.o.kinds.find((k) => k.claims(source));
    if (kind) return kind;
    if (!source.eventSourceArn && !source.endpoints) {
      throw invalidParameter(
        'Unrecognized event source, must be kinesis, dynamodb stream or sqs. Provide an EventSourceArn.',
      );
    }
    throw invalidParameter(
      `Unrecognized event source ${source.eventSourceArn ?? JSON.stringify(source.endpoints)}. Nimbus supports SQS queue ARNs (arn:aws:sqs:...) and PostgreSQL tables (arn:nimbus:postgres:...).`,
    );
  }

  #kind(kind: string): EventSourceKind {
    const k = this.o.kinds.find((x) => x.kind === kind);
    if (!k) throw new LambdaError('ServiceException', `No event source kind ${kind} is installed.`);
    return k;
  }
}

/** Copies the optional members of an input onto a mapping (`null` clears). */
function applyOptional(m: Mapping, input: MappingInput): Mapping {
  const next = { ...m };
  if (input.filters === null) delete next.filters;
  else if (input.filters !== undefined) {
    if (input.filters.length > MAX_FILTERS) {
      throw invalidParameter(`FilterCriteria may hold at most ${MAX_FILTERS} filters.`);
    }
    for (const f of input.filters) {
      try {
        parsePattern(f);
      } catch (e) {
        if (e instanceof FilterPatternError)
          throw invalidParameter(`Invalid filter pattern definition: ${e.message}.`);
        throw e;
      }
    }
    if (input.filters.length) next.filters = input.filters;
    else delete next.filters;
  }
  if (input.maximumConcurrency === null) delete next.maximumConcurrency;
  else if (input.maximumConcurrency !== undefined) next.maximumConcurrency = input.maximumConcurrency;
  if (input.onFailureDestination === null) delete next.onFailureDestination;
  else if (input.onFailureDestination !== undefined) next.onFailureDestination = input.onFailureDestination;
  for (const key of [
    'startingPosition',
    'startingPositionTimestamp',
    'bisectBatchOnFunctionError',
    'maximumRetryAttempts',
    'maximumRecordAgeInSeconds',
  ] as const) {
    if (input[key] !== undefined) (next as Record<string, unknown>)[key] = input[key];
  }
  return next;
}

function transitionalState(current: Mapping, next: Mapping): MappingState {
  if (current.enabled && !next.enabled) return 'Disabling';
  if (!current.enabled && next.enabled) return 'Enabling';
  return next.enabled ? 'Updating' : 'Disabled';
}
