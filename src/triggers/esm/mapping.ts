import { z } from 'zod';

/**
 * An event source mapping as Nimbus stores it (camelCase; the API shape is rendered by
 * `renderMapping` in `services/lambda/event-source-mapping-routes.ts`). The schema guards JSON read back from the
 * store.
 */
export const MappingStateSchema = z.enum([
  'Creating',
  'Enabling',
  'Enabled',
  'Disabling',
  'Disabled',
  'Updating',
  'Deleting',
]);
export type MappingState = z.infer<typeof MappingStateSchema>;

export const MappingKindSchema = z.enum(['sqs', 'postgres']);
export type MappingKind = z.infer<typeof MappingKindSchema>;

export const StartingPositionSchema = z.enum(['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP']);

export const MappingSchema = z.object({
  uuid: z.string(),
  kind: MappingKindSchema,
  functionName: z.string(),
  qualifier: z.string().optional(),
  eventSourceArn: z.string(),
  batchSize: z.number().int(),
  maximumBatchingWindowInSeconds: z.number().int(),
  enabled: z.boolean(),
  functionResponseTypes: z.array(z.string()),
  /** EventBridge-style patterns (JSON text), any of which lets a record through. */
  filters: z.array(z.string()).optional(),
  maximumConcurrency: z.number().int().optional(),
  startingPosition: StartingPositionSchema.optional(),
  startingPositionTimestamp: z.number().optional(),
  bisectBatchOnFunctionError: z.boolean().optional(),
  maximumRetryAttempts: z.number().int().optional(),
  maximumRecordAgeInSeconds: z.number().int().optional(),
  onFailureDestination: z.string().optional(),
  /** Self-managed sources (PostgreSQL): the connection string. Never rendered with its password. */
  sourceUrl: z.string().optional(),
  state: MappingStateSchema,
  stateTransitionReason: z.string(),
  /** Epoch milliseconds. */
  lastModified: z.number(),
  lastProcessingResult: z.string().optional(),
});
export type Mapping = z.infer<typeof MappingSchema>;

export const REPORT_BATCH_ITEM_FAILURES = 'ReportBatchItemFailures';

export const reportsItemFailures = (m: Mapping) =>
  m.functionResponseTypes.includes(REPORT_BATCH_ITEM_FAILURES);

/** `arn:aws:lambda:<region>:<account>:event-source-mapping:<uuid>`. */
export function mappingArn(region: string, accountId: string, uuid: string): string {
  return `arn:aws:lambda:${region}:${accountId}:event-source-mapping:${uuid}`;
}
