import type { FunctionRef } from '../../domain/arn.js';
import type { Clock } from '../../domain/clock.js';
import { conflict, LambdaError, notFound } from '../../domain/errors.js';
import type { CorsPolicy, FunctionUrlRecord } from '../../domain/http-triggers.js';
import type { FunctionUrlStore } from '../../store/ports.js';
import { randomId } from './ids.js';

/** What the URL service needs of the function registry. */
export interface FunctionLookup {
  require(ref: FunctionRef): Promise<unknown>;
  /** Rejects with ResourceNotFoundException when the function has no such alias. */
  getAlias(functionName: string, alias: string): Promise<unknown>;
  arn(name: string, qualifier?: string): string;
}

export interface FunctionUrlInput {
  authType?: 'NONE' | 'AWS_IAM';
  cors?: CorsPolicy;
  invokeMode?: 'BUFFERED' | 'RESPONSE_STREAM';
}

/** Length of a function URL id (`https://<32 chars>.lambda-url.<region>.on.aws/`). */
const URL_ID_LENGTH = 32;

/**
 * Function URL configurations: the control plane (Create/Get/Update/Delete/List) and the lookup
 * by URL id the front door makes on every request, answered from memory.
 */
export class FunctionUrlService {
  readonly #byId = new Map<string, FunctionUrlRecord>();
  readonly #byFunction = new Map<string, FunctionUrlRecord>();

  constructor(
    private readonly store: FunctionUrlStore,
    private readonly functions: FunctionLookup,
    private readonly clock: Clock,
  ) {}

  async load(): Promise<void> {
    for (const r of await this.store.all()) this.#remember(r);
  }

  byUrlId(urlId: string): FunctionUrlRecord | undefined {
    return this.#byId.get(urlId);
  }

  async create(ref: FunctionRef, input: FunctionUrlInput): Promise<FunctionUrlRecord> {
    await this.#requireFunction(ref);
    if (this.#byFunction.has(key(ref))) {
      throw conflict(
        `Failed to create function url config for [functionArn = ${this.functions.arn(ref.name, ref.qualifier)}]. Error message:  FunctionUrlConfig exists for this Lambda function`,
      );
    }
    const now = this.clock.now();
    const record: FunctionUrlRecord = {
      urlId: randomId(URL_ID_LENGTH),
      functionName: ref.name,
      qualifier: ref.qualifier ?? '',
      authType: input.authType ?? 'NONE',
      ...(input.cors ? { cors: input.cors } : {}),
      invokeMode: input.invokeMode ?? 'BUFFERED',
      creationTime: now,
      lastModifiedTime: now,
    };
    this.#remember(record);
    await this.store.put(record);
    return record;
  }

  async get(ref: FunctionRef): Promise<FunctionUrlRecord> {
    await this.#requireFunction(ref);
    const record = this.#byFunction.get(key(ref));
    if (!record) throw notFound('The resource you requested does not exist.');
    return record;
  }

  async update(ref: FunctionRef, input: FunctionUrlInput): Promise<FunctionUrlRecord> {
    const current = await this.get(ref);
    const record: FunctionUrlRecord = {
      ...current,
      ...(input.authType ? { authType: input.authType } : {}),
      ...(input.cors ? { cors: input.cors } : {}),
      ...(input.invokeMode ? { invokeMode: input.invokeMode } : {}),
      lastModifiedTime: this.clock.now(),
    };
    this.#remember(record);
    await this.store.put(record);
    return record;
  }

  async delete(ref: FunctionRef): Promise<void> {
    const record = await this.get(ref);
    this.#forget(record);
    await this.store.delete(record.functionName, record.qualifier);
  }

  /** ListFunctionUrlConfigs: the function's URLs ordered by qualifier, paged by `Marker`. */
  async list(
    ref: FunctionRef,
    marker: string | undefined,
    maxItems: number,
  ): Promise<{ records: FunctionUrlRecord[]; nextMarker?: string }> {
    await this.#requireFunction({ name: ref.name });
    const all = [...this.#byFunction.values()]
      .filter((r) => r.functionName === ref.name)
      .sort((a, b) => a.qualifier.localeCompare(b.qualifier));
    const start = marker === undefined ? 0 : all.findIndex((r) => r.urlId === marker) + 1;
    const records = all.slice(start, start + maxItems);
    const next = all[start + maxItems];
    return next ? { records, nextMarker: records[records.length - 1]!.urlId } : { records };
  }

  /** The function is gone (its rows went with it, by foreign key); drop what memory holds. */
  forgetFunction(name: string): void {
    for (const r of [...this.#byFunction.values()]) if (r.functionName === name) this.#forget(r);
  }

  async #requireFunction(ref: FunctionRef): Promise<void> {
    await this.functions.require({ name: ref.name });
    // A URL's qualifier is an alias: the model's pattern already refuses `$LATEST` and numbers.
    if (ref.qualifier !== undefined) {
      try {
        await this.functions.getAlias(ref.name, ref.qualifier);
      } catch {
        throw new LambdaError(
          'ResourceNotFoundException',
          `Function not found: ${this.functions.arn(ref.name, ref.qualifier)}`,
        );
      }
    }
  }

  #remember(r: FunctionUrlRecord): void {
    const previous = this.#byFunction.get(key({ name: r.functionName, qualifier: r.qualifier || undefined }));
    if (previous) this.#byId.delete(previous.urlId);
    this.#byId.set(r.urlId, r);
    this.#byFunction.set(key({ name: r.functionName, qualifier: r.qualifier || undefined }), r);
  }

  #forget(r: FunctionUrlRecord): void {
    this.#byId.delete(r.urlId);
    this.#byFunction.delete(key({ name: r.functionName, qualifier: r.qualifier || undefined }));
  }
}

function key(ref: FunctionRef): string {
  return `${ref.name}\u0000${ref.qualifier ?? ''}`;
}
