import { z } from 'zod';
import { ENV_KEY_PATTERN } from '../../domain/environment.js';
import {
  DESCRIPTION_MAX,
  EPHEMERAL_STORAGE_MAX_MB,
  EPHEMERAL_STORAGE_MIN_MB,
  HANDLER_MAX,
  MEMORY_MAX_MB,
  MEMORY_MIN_MB,
  TAG_KEY_MAX,
  TAG_VALUE_MAX,
  TIMEOUT_MAX_SECONDS,
  TIMEOUT_MIN_SECONDS,
} from '../../domain/limits.js';
import { AWS_RUNTIMES } from '../../domain/runtimes.js';

/**
 * Request members of the Lambda operations, with the constraints of the AWS service model.
 * Members AWS defines but Nimbus ignores (VPC, KMS, file systems, ...) are accepted; members AWS
 * does not define are refused, so a typo never passes silently.
 */

const FUNCTION_NAME =
  /^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?$/;
const ROLE = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const HANDLER = /^[^\s]+$/;
const ARN_OR_EMPTY = /^(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()$/;
const LOG_GROUP = /^[.\-_/#A-Za-z0-9]+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const REVISION_ID = z.string();

export const FunctionNameMember = z.string().min(1).max(140).regex(FUNCTION_NAME);

const LAYER_VERSION_ARN = /^arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+$/;
const Layers = z.array(z.string().min(1).max(140).regex(LAYER_VERSION_ARN));
const ALIAS_NAME = /^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$/;
const VERSION = /^(\$LATEST|[0-9]+)$/;

const Runtime = z.enum(AWS_RUNTIMES);
const Role = z.string().regex(ROLE);
const Handler = z.string().max(HANDLER_MAX).regex(HANDLER);
const Description = z.string().max(DESCRIPTION_MAX);
const Timeout = z.number().int().min(TIMEOUT_MIN_SECONDS).max(TIMEOUT_MAX_SECONDS);
const MemorySize = z.number().int().min(MEMORY_MIN_MB).max(MEMORY_MAX_MB);
const Environment = z.strictObject({
  Variables: z.record(z.string().regex(ENV_KEY_PATTERN), z.string()).optional(),
});
const Architectures = z
  .array(z.enum(['x86_64', 'arm64']))
  .min(1)
  .max(1);
const EphemeralStorage = z.strictObject({
  Size: z.number().int().min(EPHEMERAL_STORAGE_MIN_MB).max(EPHEMERAL_STORAGE_MAX_MB),
});
const TracingConfig = z.strictObject({ Mode: z.enum(['Active', 'PassThrough']).optional() });
const DeadLetterConfig = z.strictObject({ TargetArn: z.string().regex(ARN_OR_EMPTY).optional() });
const LoggingConfig = z.strictObject({
  LogFormat: z.enum(['JSON', 'Text']).optional(),
  ApplicationLogLevel: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']).optional(),
  SystemLogLevel: z.enum(['DEBUG', 'INFO', 'WARN']).optional(),
  LogGroup: z.string().min(1).max(512).regex(LOG_GROUP).optional(),
});
export const Tags = z.record(z.string().min(1).max(TAG_KEY_MAX), z.string().max(TAG_VALUE_MAX));
const Base64Blob = z.string().regex(BASE64);

/** Members of the model that Nimbus accepts and does not act on. */
const IGNORED = {
  VpcConfig: z.unknown().optional(),
  KMSKeyArn: z.string().regex(ARN_OR_EMPTY).optional(),
  FileSystemConfigs: z.array(z.unknown()).optional(),
  CodeSigningConfigArn: z.string().optional(),
  SnapStart: z.unknown().optional(),
  ImageConfig: z.unknown().optional(),
};

const Code = z.strictObject({
  ZipFile: Base64Blob.optional(),
  S3Bucket: z.string().min(3).max(63).optional(),
  S3Key: z.string().min(1).max(1024).optional(),
  S3ObjectVersion: z.string().min(1).max(1024).optional(),
  ImageUri: z.string().optional(),
  SourceKMSKeyArn: z.string().optional(),
});

export const CreateFunctionRequest = z.strictObject({
  FunctionName: FunctionNameMember,
  Runtime: Runtime.optional(),
  Role: Role,
  Handler: Handler.optional(),
  Code,
  Description: Description.optional(),
  Timeout: Timeout.optional(),
  MemorySize: MemorySize.optional(),
  Publish: z.boolean().optional(),
  PackageType: z.enum(['Zip', 'Image']).optional(),
  DeadLetterConfig: DeadLetterConfig.optional(),
  Environment: Environment.optional(),
  TracingConfig: TracingConfig.optional(),
  Tags: Tags.optional(),
  Layers: Layers.optional(),
  Architectures: Architectures.optional(),
  EphemeralStorage: EphemeralStorage.optional(),
  LoggingConfig: LoggingConfig.optional(),
  ...IGNORED,
});
export type CreateFunctionRequest = z.infer<typeof CreateFunctionRequest>;

export const UpdateFunctionConfigurationRequest = z.strictObject({
  Role: Role.optional(),
  Handler: Handler.optional(),
  Description: Description.optional(),
  Timeout: Timeout.optional(),
  MemorySize: MemorySize.optional(),
  Environment: Environment.optional(),
  Runtime: Runtime.optional(),
  DeadLetterConfig: DeadLetterConfig.optional(),
  TracingConfig: TracingConfig.optional(),
  RevisionId: REVISION_ID.optional(),
  Layers: Layers.optional(),
  EphemeralStorage: EphemeralStorage.optional(),
  LoggingConfig: LoggingConfig.optional(),
  ...IGNORED,
});
export type UpdateFunctionConfigurationRequest = z.infer<typeof UpdateFunctionConfigurationRequest>;

export const UpdateFunctionCodeRequest = z.strictObject({
  ZipFile: Base64Blob.optional(),
  S3Bucket: z.string().min(3).max(63).optional(),
  S3Key: z.string().min(1).max(1024).optional(),
  S3ObjectVersion: z.string().min(1).max(1024).optional(),
  ImageUri: z.string().optional(),
  Publish: z.boolean().optional(),
  DryRun: z.boolean().optional(),
  RevisionId: REVISION_ID.optional(),
  Architectures: Architectures.optional(),
  SourceKMSKeyArn: z.string().optional(),
});
export type UpdateFunctionCodeRequest = z.infer<typeof UpdateFunctionCodeRequest>;

export const TagResourceRequest = z.strictObject({ Tags });

export const ListMaxItems = z.coerce.number().int().min(1).max(10_000);

export const PublishVersionRequest = z.strictObject({
  CodeSha256: z.string().optional(),
  Description: Description.optional(),
  RevisionId: REVISION_ID.optional(),
});

/** Weights are checked by the route (AWS words their violations as a map constraint). */
const RoutingConfig = z.strictObject({
  AdditionalVersionWeights: z.record(z.string(), z.number()).optional(),
});

export const AliasName = z.string().min(1).max(128).regex(ALIAS_NAME);
const FunctionVersionMember = z.string().min(1).max(1024).regex(VERSION);

export const CreateAliasRequest = z.strictObject({
  Name: AliasName,
  FunctionVersion: FunctionVersionMember,
  Description: Description.optional(),
  RoutingConfig: RoutingConfig.optional(),
});

export const UpdateAliasRequest = z.strictObject({
  FunctionVersion: FunctionVersionMember.optional(),
  Description: Description.optional(),
  RoutingConfig: RoutingConfig.optional(),
  RevisionId: REVISION_ID.optional(),
});

export const ListVersionQuery = z.strictObject({
  Marker: z.string().optional(),
  MaxItems: z.coerce.number().int().min(1).max(10_000).optional(),
  FunctionVersion: FunctionVersionMember.optional(),
});

export const PublishLayerVersionRequest = z.strictObject({
  Description: Description.optional(),
  Content: z.strictObject({
    ZipFile: Base64Blob.optional(),
    S3Bucket: z.string().min(3).max(63).optional(),
    S3Key: z.string().min(1).max(1024).optional(),
    S3ObjectVersion: z.string().min(1).max(1024).optional(),
  }),
  CompatibleRuntimes: z.array(Runtime).max(15).optional(),
  LicenseInfo: z.string().max(512).optional(),
  CompatibleArchitectures: z
    .array(z.enum(['x86_64', 'arm64']))
    .max(2)
    .optional(),
});

export const LayerListQuery = z.strictObject({
  CompatibleRuntime: Runtime.optional(),
  CompatibleArchitecture: z.enum(['x86_64', 'arm64']).optional(),
  Marker: z.string().optional(),
  MaxItems: z.coerce.number().int().min(1).max(50).optional(),
});
