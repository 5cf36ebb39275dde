import type { MappingKind } from './mapping.js';
import type { SourceRef } from './source-kind.js';

/**
 * A create or update request in Nimbus's terms (the routes translate AWS's members). On update,
 * `undefined` leaves a setting as it is and `null` clears it.
 */
export interface MappingInput extends SourceRef {
  /** Any function identifier form (name, `name:qualifier`, partial or full ARN). */
  functionName?: string;
  enabled?: boolean;
  batchSize?: number;
  maximumBatchingWindowInSeconds?: number;
  functionResponseTypes?: string[];
  filters?: string[] | null;
  maximumConcurrency?: number | null;
  startingPosition?: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
  startingPositionTimestamp?: number;
  bisectBatchOnFunctionError?: boolean;
  maximumRetryAttempts?: number;
  maximumRecordAgeInSeconds?: number;
  onFailureDestination?: string | null;
}

/** Members that only stream sources (PostgreSQL here) accept. */
export const STREAM_ONLY: readonly (keyof MappingInput)[] = [
  'startingPosition',
  'startingPositionTimestamp',
  'bisectBatchOnFunctionError',
  'maximumRetryAttempts',
  'maximumRecordAgeInSeconds',
  'onFailureDestination',
];

export const kindLabel: Record<MappingKind, string> = { sqs: 'SQS', postgres: 'PostgreSQL' };
