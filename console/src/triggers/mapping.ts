import {
  CreateEventSourceMappingCommand,
  type CreateEventSourceMappingCommandInput,
  DeleteEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { CreateQueueCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { awsConfig, lambda, nimbus } from '../api/client';
import { ApiError } from '../api/errors';
import type { CreatedTrigger, FunctionTarget, Option, Settings, TriggerRow } from '../triggers';

/** An event source mapping as `/nimbus/v1/event-source-mappings` reports it: Lambda's fields plus status. */
interface MappingStatus {
  UUID: string;
  EventSourceArn?: string;
  State: string;
  BatchSize?: number;
  MaximumBatchingWindowInSeconds?: number;
  FunctionResponseTypes?: string[];
  LastProcessingResult?: string;
  StartingPosition?: string;
  Status?: {
    Lag?: string;
    LagCount?: number;
    LastError?: string;
    LastErrorAt?: number;
    LastBatchAt?: number;
  };
}

const sqsClient = () => new SQSClient(awsConfig());

/** A whole number from a form field, or undefined when empty; the API checks the ranges. */
function integer(s: Settings, field: string, label: string): number | undefined {
  const v = (s[field] ?? '').trim();
  if (v === '') return undefined;
  if (!/^-?\d+$/.test(v))
    throw new ApiError(
      'InvalidParameterValueException',
      `Value '${v}' at '${field}' failed to satisfy constraint: ${label} must be a whole number`,
      400,
    );
  return Number(v);
}

async function createMapping(
  input: CreateEventSourceMappingCommandInput,
  what: string,
): Promise<CreatedTrigger> {
  const m = await lambda().send(new CreateEventSourceMappingCommand(input));
  return { message: `${what}: mapping ${m.UUID} (${m.State})` };
}

export async function queueOptions(): Promise<Option[]> {
  const c = sqsClient();
  try {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await c.send(
        new ListQueuesCommand({ MaxResults: 1000, ...(token ? { NextToken: token } : {}) }),
      );
      names.push(...(page.QueueUrls ?? []).map((u) => u.slice(u.lastIndexOf('/') + 1)));
      token = page.NextToken;
    } while (token);
    return names.map((n) => ({ value: n, label: n }));
  } finally {
    c.destroy();
  }
}

export async function createQueueTrigger(fn: FunctionTarget, s: Settings): Promise<CreatedTrigger> {
  const queue = (s.queue ?? '').trim();
  const batchSize = integer(s, 'batchSize', 'Batch size');
  const windowSeconds = integer(s, 'maximumBatchingWindowInSeconds', 'Batching window');
  if (queue === '') {
    throw new ApiError(
      'InvalidParameterValueException',
      'Name the queue whose messages run the function.',
      400,
    );
  }
  if (s.createQueue === 'true' && !queue.startsWith('arn:')) {
    const c = sqsClient();
    try {
      await c.send(new CreateQueueCommand({ QueueName: queue }));
    } finally {
      c.destroy();
    }
  }
  const arn = queue.startsWith('arn:') ? queue : `arn:aws:sqs:${fn.region}:${fn.accountId}:${queue}`;
  return createMapping(
    {
      FunctionName: fn.name,
      EventSourceArn: arn,
      ...(batchSize === undefined ? {} : { BatchSize: batchSize }),
      ...(windowSeconds === undefined ? {} : { MaximumBatchingWindowInSeconds: windowSeconds }),
      ...(s.reportBatchItemFailures === 'true' ? { FunctionResponseTypes: ['ReportBatchItemFailures'] } : {}),
    },
    `Queue ${queue}`,
  );
}

/** `arn:nimbus:postgres:<region>:<account>:db/<database>/table/<schema>.<table>[,...]` (docs/triggers.md). */
export function databaseArn(fn: FunctionTarget, url: string, tables: string): string {
  let database: string;
  try {
    database = decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
  } catch {
    throw new ApiError(
      'InvalidParameterValueException',
      `"${url}" is not a connection string such as postgres://user:password@localhost:5432/shop.`,
      400,
    );
  }
  const list = tables
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map((t) => (t.includes('.') ? t : `public.${t}`));
  if (list.length === 0) {
    throw new ApiError('InvalidParameterValueException', 'Name the tables to follow, as schema.table.', 400);
  }
  return `arn:nimbus:postgres:${fn.region}:${fn.accountId}:db/${database}/table/${list.join(',')}`;
}

export async function createDatabaseTrigger(fn: FunctionTarget, s: Settings): Promise<CreatedTrigger> {
  const url = (s.postgresUrl ?? '').trim();
  const arn = databaseArn(fn, url, s.table ?? '');
  const batchSize = integer(s, 'batchSize', 'Batch size');
  return createMapping(
    {
      FunctionName: fn.name,
      EventSourceArn: arn,
      // Nimbus's own endpoint type for PostgreSQL (docs/triggers.md); the SDK passes it through.
      SelfManagedEventSource: { Endpoints: { POSTGRES_URL: [url] } as never },
      StartingPosition: (s.startingPosition || 'LATEST') as 'LATEST',
      ...(batchSize === undefined ? {} : { BatchSize: batchSize }),
    },
    `Table ${arn.slice(arn.indexOf(':db/') + 1)}`,
  );
}

const kindOf = (arn: string) =>
  arn.startsWith('arn:aws:sqs:')
    ? 'Queue'
    : arn.startsWith('arn:nimbus:postgres:')
      ? 'Database table'
      : 'Event source';
const sourceOf = (arn: string) =>
  arn.startsWith('arn:aws:sqs:')
    ? arn.slice(arn.lastIndexOf(':') + 1)
    : arn.replace(/^arn:nimbus:postgres:[^:]*:[^:]*:/, '');

/** The function's mappings from queues, or from database tables. */
export async function listMappings(fn: FunctionTarget, source: 'queue' | 'database'): Promise<TriggerRow[]> {
  const { EventSourceMappings } = await nimbus<{ EventSourceMappings: MappingStatus[] }>(
    'GET',
    '/nimbus/v1/event-source-mappings',
    { query: { FunctionName: fn.name } },
  );
  const prefix = source === 'queue' ? 'arn:aws:sqs:' : 'arn:nimbus:postgres:';
  return EventSourceMappings.filter((m) => (m.EventSourceArn ?? '').startsWith(prefix)).map((m) => {
    const arn = m.EventSourceArn ?? '';
    const st = m.Status ?? {};
    return {
      kind: kindOf(arn),
      id: m.UUID,
      source: sourceOf(arn),
      details: [
        `batch ${m.BatchSize ?? '-'}`,
        ...(m.MaximumBatchingWindowInSeconds ? [`window ${m.MaximumBatchingWindowInSeconds} s`] : []),
        ...(m.FunctionResponseTypes?.length ? m.FunctionResponseTypes : []),
        ...(m.StartingPosition ? [m.StartingPosition] : []),
        ...(st.Lag !== undefined ? [`lag ${st.Lag}`] : []),
      ].join(' · '),
      state: m.State,
      ...(m.LastProcessingResult ? { lastResult: m.LastProcessingResult } : {}),
      ...(st.LastError
        ? {
            lastError: `${st.LastError}${st.LastErrorAt ? ` (${new Date(st.LastErrorAt * 1000).toLocaleString()})` : ''}`,
          }
        : {}),
      remove: async () => {
        await lambda().send(new DeleteEventSourceMappingCommand({ UUID: m.UUID }));
      },
    };
  });
}
