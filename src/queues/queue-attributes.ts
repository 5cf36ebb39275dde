import { z } from 'zod';
import { SqsError } from './sqs-errors.js';
import {
  DELAY_MAX_SECONDS,
  MAX_RECEIVE_COUNT_MAX,
  MESSAGE_MAX_BYTES,
  MESSAGE_MIN_LIMIT_BYTES,
  RECEIVE_WAIT_MAX_SECONDS,
  RETENTION_DEFAULT_SECONDS,
  RETENTION_MAX_SECONDS,
  RETENTION_MIN_SECONDS,
  VISIBILITY_TIMEOUT_DEFAULT_SECONDS,
  VISIBILITY_TIMEOUT_MAX_SECONDS,
} from './sqs-limits.js';

/** Attributes a caller may set, with their defaults; `undefined` means "absent unless set". */
const SETTABLE: Record<string, string | undefined> = {
  VisibilityTimeout: String(VISIBILITY_TIMEOUT_DEFAULT_SECONDS),
  MaximumMessageSize: String(MESSAGE_MAX_BYTES),
  MessageRetentionPeriod: String(RETENTION_DEFAULT_SECONDS),
  DelaySeconds: '0',
  ReceiveMessageWaitTimeSeconds: '0',
  RedrivePolicy: undefined,
  RedriveAllowPolicy: undefined,
  Policy: undefined,
  KmsMasterKeyId: undefined,
  KmsDataKeyReusePeriodSeconds: undefined,
  SqsManagedSseEnabled: 'true',
  FifoQueue: undefined,
  ContentBasedDeduplication: undefined,
  DeduplicationScope: undefined,
  FifoThroughputLimit: undefined,
};

/** Attributes SQS computes; they can be read but not set. */
export const COMPUTED_ATTRIBUTES = [
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
] as const;

/** Only CreateQueue may set these. */
const CREATE_ONLY = new Set(['FifoQueue']);
const FIFO_ONLY = new Set(['ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);

export const ALL_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set([
  ...Object.keys(SETTABLE),
  ...COMPUTED_ATTRIBUTES,
]);

/** A redrive policy after validation. */
export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

const RedrivePolicyJson = z.object({
  deadLetterTargetArn: z.string().min(1),
  maxReceiveCount: z.union([z.number(), z.string()]),
});

const invalidValue = (name: string) =>
  new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);

function integerIn(name: string, value: string, min: number, max: number): string {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw invalidValue(name);
  return String(Number(value));
}

function booleanText(name: string, value: string): string {
  const v = value.toLowerCase();
  if (v !== 'true' && v !== 'false') throw invalidValue(name);
  return v;
}

/** Parses `RedrivePolicy` JSON; `undefined` for the empty string (which removes the policy). */
export function parseRedrivePolicy(value: string): RedrivePolicy | undefined {
  if (value === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new SqsError(
      'InvalidParameterValue',
      `Value ${value} for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map.`,
    );
  }
  const r = RedrivePolicyJson.safeParse(parsed);
  if (!r.success) {
    throw new SqsError(
      'InvalidParameterValue',
      `Value ${value} for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain mandatory attribute: ${r.error.issues[0]?.path[0] === 'maxReceiveCount' ? 'maxReceiveCount' : 'deadLetterTargetArn'}.`,
    );
  }
  const count = Number(r.data.maxReceiveCount);
  if (!Number.isInteger(count) || count < 1 || count > MAX_RECEIVE_COUNT_MAX) {
    throw new SqsError(
      'InvalidParameterValue',
      `Value ${value} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: ${String(r.data.maxReceiveCount)}, valid values are from 1 to ${MAX_RECEIVE_COUNT_MAX} both inclusive.`,
    );
  }
  return { deadLetterTargetArn: r.data.deadLetterTargetArn, maxReceiveCount: count };
}

/**
 * Validates attributes given to CreateQueue or SetQueueAttributes and returns them normalised
 * (numbers without leading zeros, booleans lower-case, the redrive policy as compact JSON).
 */
export function normaliseAttributes(
  input: Record<string, string>,
  o: { fifo: boolean; creating: boolean },
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(input)) {
    if (!(name in SETTABLE)) {
      if ((COMPUTED_ATTRIBUTES as readonly string[]).includes(name)) {
        throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
      }
      throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
    if (CREATE_ONLY.has(name) && !o.creating) {
      throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
    if (FIFO_ONLY.has(name) && !o.fifo)
      throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    out[name] = normaliseOne(name, String(raw));
  }
  return out;
}

function normaliseOne(name: string, value: string): string {
  switch (name) {
    case 'VisibilityTimeout':
      return integerIn(name, value, 0, VISIBILITY_TIMEOUT_MAX_SECONDS);
    case 'MaximumMessageSize':
      return integerIn(name, value, MESSAGE_MIN_LIMIT_BYTES, MESSAGE_MAX_BYTES);
    case 'MessageRetentionPeriod':
      return integerIn(name, value, RETENTION_MIN_SECONDS, RETENTION_MAX_SECONDS);
    case 'DelaySeconds':
      return integerIn(name, value, 0, DELAY_MAX_SECONDS);
    case 'ReceiveMessageWaitTimeSeconds':
      return integerIn(name, value, 0, RECEIVE_WAIT_MAX_SECONDS);
    case 'KmsDataKeyReusePeriodSeconds':
      return integerIn(name, value, 60, 86_400);
    case 'FifoQueue':
    case 'ContentBasedDeduplication':
    case 'SqsManagedSseEnabled':
      return booleanText(name, value);
    case 'DeduplicationScope':
      if (value !== 'messageGroup' && value !== 'queue') throw invalidValue(name);
      return value;
    case 'FifoThroughputLimit':
      if (value !== 'perQueue' && value !== 'perMessageGroupId') throw invalidValue(name);
      return value;
    case 'RedrivePolicy': {
      const p = parseRedrivePolicy(value);
      return p ? JSON.stringify(p) : '';
    }
    case 'Policy':
    case 'RedriveAllowPolicy':
      if (value !== '') {
        try {
          JSON.parse(value);
        } catch {
          throw invalidValue(name);
        }
      }
      return value;
    default:
      return value;
  }
}

/** The queue's effective settable attributes: defaults overlaid with what was set. */
export function effectiveAttributes(stored: Record<string, string>, fifo: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, dflt] of Object.entries(SETTABLE)) {
    const v = stored[name] ?? dflt;
    if (v !== undefined && v !== '') out[name] = v;
  }
  if (fifo) {
    out.FifoQueue = 'true';
    out.ContentBasedDeduplication ??= 'false';
    out.DeduplicationScope ??= 'queue';
    out.FifoThroughputLimit ??= 'perQueue';
  }
  return out;
}

/** Whether CreateQueue's attributes equal an existing queue's (then CreateQueue is idempotent). */
export function firstDifference(
  existing: Record<string, string>,
  requested: Record<string, string>,
  fifo: boolean,
): string | undefined {
  const current = effectiveAttributes(existing, fifo);
  const wanted = effectiveAttributes(requested, fifo);
  for (const name of Object.keys(requested)) {
    if (current[name] !== wanted[name]) return name;
  }
  return undefined;
}
