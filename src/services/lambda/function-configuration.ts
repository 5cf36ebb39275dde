import { type AccountScope, functionArn, LATEST } from '../../domain/arn.js';
import { awsTimestamp } from '../../domain/clock.js';
import type { FunctionVersion } from '../../domain/function.js';

/** The wire shape clients read (`FunctionConfiguration` in the model). */
export type FunctionConfiguration = Record<string, unknown>;

export interface RenderOptions {
  /** ListFunctions items leave out the state fields, as AWS does. */
  forList?: boolean;
  /** ListVersionsByFunction qualifies `$LATEST` in the ARN. */
  qualifyLatest?: boolean;
  /** The ARN's qualifier when the configuration was read through an alias. */
  arnQualifier?: string;
}

export function renderFunctionConfiguration(
  scope: AccountScope,
  v: FunctionVersion,
  options: RenderOptions = {},
): FunctionConfiguration {
  const qualified = v.version !== LATEST || options.qualifyLatest;
  // While new code builds, clients see the code they sent (the previous one keeps serving).
  const code = v.pendingCode ?? v.code;
  const c: FunctionConfiguration = {
    FunctionName: v.name,
    FunctionArn: functionArn(scope, v.name, options.arnQualifier ?? (qualified ? v.version : undefined)),
    Runtime: v.runtime,
    Role: v.role,
    Handler: v.handler,
    CodeSize: code.size,
    Description: v.description,
    Timeout: v.timeout,
    MemorySize: v.memorySize,
    LastModified: awsTimestamp(v.lastModified),
    CodeSha256: code.sha256,
    Version: v.version,
    TracingConfig: { Mode: v.tracingMode },
    RevisionId: v.revisionId,
    PackageType: v.packageType,
    Architectures: v.architectures,
    EphemeralStorage: { Size: v.ephemeralStorageMb },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: {
      LogFormat: v.loggingConfig.logFormat,
      ...(v.loggingConfig.applicationLogLevel
        ? { ApplicationLogLevel: v.loggingConfig.applicationLogLevel }
        : {}),
      ...(v.loggingConfig.systemLogLevel ? { SystemLogLevel: v.loggingConfig.systemLogLevel } : {}),
      LogGroup: v.loggingConfig.logGroup,
    },
  };
  if (Object.keys(v.environment).length > 0) c.Environment = { Variables: v.environment };
  if (v.layers.length > 0) c.Layers = v.layers.map((l) => ({ Arn: l.arn, CodeSize: l.codeSize }));
  if (v.deadLetterTargetArn) c.DeadLetterConfig = { TargetArn: v.deadLetterTargetArn };
  if (!options.forList) {
    c.State = v.state;
    if (v.stateReason) c.StateReason = v.stateReason;
    if (v.stateReasonCode) c.StateReasonCode = v.stateReasonCode;
    c.LastUpdateStatus = v.lastUpdateStatus;
    if (v.lastUpdateStatusReason) c.LastUpdateStatusReason = v.lastUpdateStatusReason;
    if (v.lastUpdateStatusReasonCode) c.LastUpdateStatusReasonCode = v.lastUpdateStatusReasonCode;
  }
  return c;
}

export function qualifiedArn(scope: AccountScope, name: string, qualifier?: string): string {
  return functionArn(scope, name, qualifier);
}
