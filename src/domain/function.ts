import { z } from 'zod';

/**
 * A function version as Nimbus stores it. `$LATEST` is the mutable one; published versions (a later
 * issue) are frozen copies. The schema guards JSON read back from the store.
 */

export const FunctionStateSchema = z.enum(['Pending', 'Active', 'Inactive', 'Failed']);
export type FunctionState = z.infer<typeof FunctionStateSchema>;

export const LastUpdateStatusSchema = z.enum(['Successful', 'Failed', 'InProgress']);
export type LastUpdateStatus = z.infer<typeof LastUpdateStatusSchema>;

export const ArchitectureSchema = z.enum(['x86_64', 'arm64']);
export type Architecture = z.infer<typeof ArchitectureSchema>;

export const LogFormatSchema = z.enum(['Text', 'JSON']);
export const ApplicationLogLevelSchema = z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']);
export const SystemLogLevelSchema = z.enum(['DEBUG', 'INFO', 'WARN']);

export const LoggingConfigSchema = z.object({
  logFormat: LogFormatSchema,
  applicationLogLevel: ApplicationLogLevelSchema.optional(),
  systemLogLevel: SystemLogLevelSchema.optional(),
  logGroup: z.string(),
});
export type LoggingConfig = z.infer<typeof LoggingConfigSchema>;

export const CodeRefSchema = z.object({
  /** base64 SHA-256 of the deployment zip, as AWS reports `CodeSha256`. */
  sha256: z.string(),
  /** Size of the zip in bytes (`CodeSize`). */
  size: z.number().int().nonnegative(),
  /** Content address (hex SHA-256) of the zip in the blob store. */
  blobKey: z.string(),
  /** Content address of the unpacked, ready-to-run code directory. */
  imageKey: z.string(),
  /** Unpacked size in bytes, for the 250 MB limit and account usage. */
  unzippedSize: z.number().int().nonnegative(),
  /**
   * The unpacked zip before the build step (dependencies, transpiling). Absent when nothing was
   * built: `imageKey` is then the unpacked zip itself.
   */
  sourceImageKey: z.string().optional(),
});
export type CodeRef = z.infer<typeof CodeRefSchema>;

/** A layer version a function uses, copied into the function version (it outlives the layer). */
export const LayerRefSchema = z.object({
  arn: z.string(),
  codeSize: z.number().int().nonnegative(),
  unzippedSize: z.number().int().nonnegative(),
  blobKey: z.string(),
  imageKey: z.string(),
});
export type LayerRef = z.infer<typeof LayerRefSchema>;

export const FunctionVersionSchema = z.object({
  name: z.string(),
  version: z.string(),
  runtime: z.string(),
  handler: z.string(),
  role: z.string(),
  description: z.string(),
  timeout: z.number().int(),
  memorySize: z.number().int(),
  environment: z.record(z.string(), z.string()),
  architectures: z.array(ArchitectureSchema),
  ephemeralStorageMb: z.number().int(),
  tracingMode: z.enum(['Active', 'PassThrough']),
  loggingConfig: LoggingConfigSchema,
  deadLetterTargetArn: z.string().optional(),
  packageType: z.literal('Zip'),
  code: CodeRefSchema,
  /** Layers in the order they are extracted into `/opt` (later ones win). */
  layers: z.array(LayerRefSchema).default([]),
  /** The merged `/opt` image of the layers (absent without layers). */
  optImageKey: z.string().optional(),
  /**
   * New code being built (`LastUpdateStatus: InProgress`, or `State: Pending` on creation); the
   * previous `code` keeps serving until the build succeeds.
   */
  pendingCode: CodeRefSchema.optional(),
  state: FunctionStateSchema,
  stateReason: z.string().optional(),
  stateReasonCode: z.string().optional(),
  lastUpdateStatus: LastUpdateStatusSchema,
  lastUpdateStatusReason: z.string().optional(),
  lastUpdateStatusReasonCode: z.string().optional(),
  revisionId: z.string(),
  /** Epoch milliseconds. */
  lastModified: z.number(),
});
export type FunctionVersion = z.infer<typeof FunctionVersionSchema>;

export const AliasSchema = z.object({
  name: z.string(),
  functionVersion: z.string(),
  description: z.string(),
  /** `AdditionalVersionWeights`: at most one extra version and its share of the traffic. */
  additionalVersionWeights: z.record(z.string(), z.number()).default({}),
  revisionId: z.string(),
});
export type Alias = z.infer<typeof AliasSchema>;

/** Function-level data shared by all its versions. */
export interface FunctionRecord {
  name: string;
  tags: Record<string, string>;
  createdAt: number;
  latest: FunctionVersion;
  /** Published versions, oldest first. */
  versions: FunctionVersion[];
  aliases: Alias[];
  /** The number the next published version gets (numbers are never reused). */
  nextVersion: number;
}

/** The configuration members a caller may change with UpdateFunctionConfiguration. */
export type FunctionConfigPatch = Partial<
  Pick<
    FunctionVersion,
    | 'runtime'
    | 'handler'
    | 'role'
    | 'description'
    | 'timeout'
    | 'memorySize'
    | 'environment'
    | 'ephemeralStorageMb'
    | 'tracingMode'
    | 'loggingConfig'
    | 'deadLetterTargetArn'
  >
> & { layers?: string[] };

export function defaultLogGroup(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}
