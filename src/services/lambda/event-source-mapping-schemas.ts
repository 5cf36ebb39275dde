import { z } from 'zod';
import { FunctionNameMember, Tags } from './schemas.js';

/**
 * Request members of the event source mapping operations, with the service model's constraints.
 * `EventSourceArn` also admits Nimbus's own source ARNs (`arn:nimbus:postgres:...`).
 */
const EVENT_SOURCE_ARN =
  /^arn:(aws[a-zA-Z0-9-]*|nimbus):([a-zA-Z0-9-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)$/;
const DESTINATION_ARN =
  /^$|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)/;

const FilterCriteria = z.strictObject({
  Filters: z.array(z.strictObject({ Pattern: z.string().min(0).max(4096).optional() })).optional(),
});
const ScalingConfig = z.strictObject({ MaximumConcurrency: z.number().int().min(2).max(1000).optional() });
const DestinationConfig = z.strictObject({
  OnSuccess: z
    .strictObject({ Destination: z.string().max(350).regex(DESTINATION_ARN).optional() })
    .optional(),
  OnFailure: z
    .strictObject({ Destination: z.string().max(350).regex(DESTINATION_ARN).optional() })
    .optional(),
});
const SelfManagedEventSource = z.strictObject({
  Endpoints: z.record(z.string(), z.array(z.string().min(1).max(2048)).min(1).max(10)).optional(),
});

const Common = {
  Enabled: z.boolean().optional(),
  BatchSize: z.number().int().min(1).max(10_000).optional(),
  MaximumBatchingWindowInSeconds: z.number().int().min(0).max(300).optional(),
  FunctionResponseTypes: z
    .array(z.enum(['ReportBatchItemFailures']))
    .max(1)
    .optional(),
  FilterCriteria: FilterCriteria.optional(),
  ScalingConfig: ScalingConfig.optional(),
  DestinationConfig: DestinationConfig.optional(),
  MaximumRecordAgeInSeconds: z.number().int().min(-1).max(604_800).optional(),
  BisectBatchOnFunctionError: z.boolean().optional(),
  MaximumRetryAttempts: z.number().int().min(-1).max(10_000).optional(),
  ParallelizationFactor: z.number().int().min(1).max(10).optional(),
  TumblingWindowInSeconds: z.number().int().min(0).max(900).optional(),
  MetricsConfig: z.unknown().optional(),
  KMSKeyArn: z.string().optional(),
};

export const CreateEventSourceMappingRequest = z.strictObject({
  FunctionName: FunctionNameMember,
  EventSourceArn: z.string().min(12).max(1024).regex(EVENT_SOURCE_ARN).optional(),
  StartingPosition: z.enum(['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP']).optional(),
  StartingPositionTimestamp: z.number().optional(),
  SelfManagedEventSource: SelfManagedEventSource.optional(),
  Tags: Tags.optional(),
  ...Common,
});
export type CreateEventSourceMappingRequest = z.infer<typeof CreateEventSourceMappingRequest>;

export const UpdateEventSourceMappingRequest = z.strictObject({
  FunctionName: FunctionNameMember.optional(),
  ...Common,
});
export type UpdateEventSourceMappingRequest = z.infer<typeof UpdateEventSourceMappingRequest>;

export const ListEventSourceMappingsQuery = z.strictObject({
  EventSourceArn: z.string().optional(),
  FunctionName: z.string().optional(),
  Marker: z.string().optional(),
  MaxItems: z.coerce.number().int().min(1).max(10_000).optional(),
});

export const MappingUuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
