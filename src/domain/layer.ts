import { z } from 'zod';
import type { AccountScope } from './arn.js';
import { invalidParameter } from './errors.js';
import { CodeRefSchema } from './function.js';

/** A published layer version: immutable content and its compatibility lists. */
export const LayerVersionSchema = z.object({
  layerName: z.string(),
  version: z.number().int().positive(),
  description: z.string(),
  compatibleRuntimes: z.array(z.string()),
  compatibleArchitectures: z.array(z.string()),
  licenseInfo: z.string().optional(),
  /** Epoch milliseconds. */
  createdAt: z.number(),
  code: CodeRefSchema,
});
export type LayerVersion = z.infer<typeof LayerVersionSchema>;

export const LAYER_NAME_PATTERN = /^[a-zA-Z0-9-_]+$/;
const LAYER_ARN = /^arn:[a-zA-Z0-9-]+:lambda:([a-zA-Z0-9-]+):(\d{12}):layer:([a-zA-Z0-9-_]+)$/;
const LAYER_VERSION_ARN =
  /^arn:[a-zA-Z0-9-]+:lambda:([a-zA-Z0-9-]+):(\d{12}):layer:([a-zA-Z0-9-_]+):([0-9]+)$/;

export function layerArn(scope: AccountScope, name: string): string {
  return `arn:aws:lambda:${scope.region}:${scope.accountId}:layer:${name}`;
}

export function layerVersionArn(scope: AccountScope, name: string, version: number): string {
  return `${layerArn(scope, name)}:${version}`;
}

/**
 * A `{LayerName}` path label: a plain name or the layer ARN (without version). Undefined for the
 * ARN of another account or region (no layer of this installation).
 */
export function parseLayerName(scope: AccountScope, raw: string): string | undefined {
  if (LAYER_NAME_PATTERN.test(raw) && raw.length <= 140) return raw;
  const m = LAYER_ARN.exec(raw);
  if (!m) throw invalidParameter(`Invalid layer name: ${raw}`);
  return m[1] === scope.region && m[2] === scope.accountId ? m[3]! : undefined;
}

/** A layer version ARN of this account, or undefined for another account's or a malformed one. */
export function parseLayerVersionArn(
  scope: AccountScope,
  arn: string,
): { name: string; version: number; local: boolean } | undefined {
  const m = LAYER_VERSION_ARN.exec(arn);
  if (!m) return undefined;
  return {
    name: m[3]!,
    version: Number(m[4]),
    local: m[1] === scope.region && m[2] === scope.accountId,
  };
}
