import type { Command } from 'commander';
import type { NimbusClient } from '../../api-client.js';

/** Where the function lives: `arn:aws:lambda:<region>:<account>:function:<name>`, split. */
export interface FunctionTarget {
  name: string;
  region: string;
  accountId: string;
}

/** Options every `nimbus trigger add` understands; kinds use those that apply to them. */
export interface CommonAddOptions {
  batchSize?: number;
  batchingWindow?: number;
  disabled?: boolean;
  filter?: string[];
  reportFailures?: boolean;
}

/**
 * One kind of trigger for `nimbus trigger add <fn> --<kind option> ...`: one file per kind in
 * this folder and one line in `index.ts`. A kind adds its own options, says whether the parsed
 * options select it, and creates the trigger. Kinds that are not event source mappings (S3
 * notifications) also list their triggers for `nimbus trigger list`.
 */
export interface TriggerKind {
  readonly name: string;
  addOptions(cmd: Command): void;
  selects(opts: Record<string, unknown>): boolean;
  /** Creates the trigger; answers the line to print. */
  add(
    client: NimbusClient,
    target: FunctionTarget,
    opts: Record<string, unknown> & CommonAddOptions,
  ): Promise<string>;
  /** Triggers of this kind that are not event source mappings (those are listed for all kinds). */
  list?(client: NimbusClient, functionName: string): Promise<TriggerRow[]>;
  /** Removes a trigger of this kind by the id `list` showed; `undefined` when the id is not of this kind. */
  remove?(client: NimbusClient, id: string): Promise<string | undefined>;
}

export interface TriggerRow {
  id: string;
  type: string;
  source: string;
  state: string;
  batch: string;
  lag: string;
  result: string;
}

/** The ESM members every poll-based kind shares, from the common options. */
export function commonMappingMembers(opts: CommonAddOptions): Record<string, unknown> {
  return {
    ...(opts.batchSize !== undefined ? { BatchSize: opts.batchSize } : {}),
    ...(opts.batchingWindow !== undefined ? { MaximumBatchingWindowInSeconds: opts.batchingWindow } : {}),
    ...(opts.disabled ? { Enabled: false } : {}),
    ...(opts.reportFailures ? { FunctionResponseTypes: ['ReportBatchItemFailures'] } : {}),
    ...(opts.filter?.length
      ? { FilterCriteria: { Filters: opts.filter.map((Pattern) => ({ Pattern })) } }
      : {}),
  };
}
