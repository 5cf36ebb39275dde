import type { z } from 'zod';
import { type AccountScope, type FunctionRef, parseFunctionRef } from '../../domain/arn.js';
import { invalidContent } from '../../domain/errors.js';
import type { HttpExchange } from '../../gateway/exchange.js';
import { parseMembers } from './validation.js';

/** What a Lambda route handler receives. */
export interface LambdaCall {
  x: HttpExchange;
  params: Record<string, string>;
  scope: AccountScope;
  /** The raw body (already read within the route's size limit). */
  body: Buffer;
}

/** What a route handler answers; the surface writes it. */
export interface LambdaReply {
  status: number;
  /** Serialised as JSON. */
  json?: unknown;
  /** Sent as is (Invoke payloads, code downloads). */
  raw?: Buffer;
  headers?: Record<string, string>;
  /** Writes the whole response itself (streamed bodies such as InvokeWithResponseStream). */
  stream?: (x: HttpExchange) => Promise<void>;
}

export type LambdaHandler = (call: LambdaCall) => Promise<LambdaReply>;

export interface LambdaRoute {
  /** The AWS operation name (used in size-limit messages and logs). */
  operation: string;
  handler: LambdaHandler;
  maxBodyBytes?: number;
  /** `none` for routes that authenticate by their own means (pre-signed links). Default SigV4. */
  auth?: 'sigv4' | 'none';
}

/** Parses the JSON body against a request schema; an empty body counts as `{}`. */
export function jsonBody<S extends z.ZodType>(call: LambdaCall, schema: S): z.infer<S> {
  let value: unknown = {};
  if (call.body.length > 0) {
    try {
      value = JSON.parse(call.body.toString('utf8'));
    } catch (e) {
      throw invalidContent(`Could not parse request body into json: ${(e as Error).message}`);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidContent('Could not parse request body into json: the body must be a JSON object');
  }
  return parseMembers(schema, value);
}

/** The `{FunctionName}` path label (any identifier form) with the optional `Qualifier` query. */
export function functionRef(
  call: LambdaCall,
  opts: { qualifierParam?: boolean } = { qualifierParam: true },
): FunctionRef {
  const qualifier = opts.qualifierParam ? (call.x.query.get('Qualifier') ?? undefined) : undefined;
  return parseFunctionRef(call.scope, call.params.FunctionName ?? '', qualifier);
}
