import type { ApiError } from './api/errors';

/**
 * The trigger kinds: what makes a function run besides a direct invoke. Each is backed by the API
 * that creates it, and its implementation (with its AWS SDK client) loads only when used:
 * function URLs (Lambda `CreateFunctionUrlConfig`), HTTP API routes (API Gateway v2), bucket
 * notifications (S3 `PutBucketNotificationConfiguration`), queues and database tables (Lambda
 * `CreateEventSourceMapping`), schedules (EventBridge Scheduler `CreateSchedule`). A new kind is one
 * more entry in {@link TRIGGERS}, with its fields, `create` and `list`, and its module under
 * `triggers/`.
 */
export interface FunctionTarget {
  name: string;
  arn: string;
  region: string;
  accountId: string;
}

export interface Option {
  value: string;
  label: string;
}

export interface TriggerField {
  /** Named like the API member its value goes to, so that AWS's `at 'member'` lands next to it. */
  name: string;
  label: string;
  type: 'text' | 'number' | 'select' | 'checkbox';
  default?: string;
  placeholder?: string;
  help?: string;
  options?: readonly Option[];
  /** Options read from the server (existing APIs, buckets, queues); the field stays a text box too. */
  loadOptions?: () => Promise<Option[]>;
  /** Shown only when this answers true for the other settings. */
  when?: (settings: Settings) => boolean;
}

export type Settings = Record<string, string>;

export interface CreatedTrigger {
  /** One line for the deploy log. */
  message: string;
  /** Where to call it from anywhere (a function URL or an API's route). */
  url?: string;
  /** The same, as a path on this server's own address (callable from the console's origin). */
  callPath?: string;
}

/** One trigger of a function as the Triggers tab lists it. */
export interface TriggerRow {
  kind: string;
  id: string;
  source: string;
  details?: string;
  state: string;
  lastResult?: string;
  lastError?: string;
  url?: string;
  callPath?: string;
  remove: () => Promise<void>;
}

export interface TriggerKind {
  id: string;
  label: string;
  description: string;
  fields: readonly TriggerField[];
  /** Wires the trigger once the function is Active. */
  create?: (fn: FunctionTarget, settings: Settings) => Promise<CreatedTrigger>;
  /** The function's triggers of this kind, for the Triggers tab. */
  list?: (fn: FunctionTarget) => Promise<TriggerRow[]>;
  /** Which field an error of this kind's API is about (beyond AWS's `at 'member'`). */
  fieldOf?: (e: ApiError) => string | undefined;
}

const yes = (v: string | undefined) => v === 'true';

const url = () => import('./triggers/url');
const route = () => import('./triggers/route');
const bucket = () => import('./triggers/bucket');
const mapping = () => import('./triggers/mapping');
const schedule = () => import('./triggers/schedule');

export const TRIGGERS: readonly TriggerKind[] = [
  {
    id: 'none',
    label: 'No trigger',
    description: 'Invoke it from the test panel, the nimbus CLI, the AWS CLI or an AWS SDK.',
    fields: [],
  },
  {
    id: 'url',
    label: 'Function URL',
    description: 'An HTTPS-style endpoint of its own: any HTTP client calls the function.',
    fields: [
      {
        name: 'authType',
        label: 'Auth type',
        type: 'select',
        default: 'NONE',
        options: [
          { value: 'NONE', label: 'NONE (public)' },
          { value: 'AWS_IAM', label: 'AWS_IAM (SigV4-signed requests only)' },
        ],
      },
      {
        name: 'invokeMode',
        label: 'Invoke mode',
        type: 'select',
        default: 'BUFFERED',
        options: [
          { value: 'BUFFERED', label: 'BUFFERED' },
          { value: 'RESPONSE_STREAM', label: 'RESPONSE_STREAM' },
        ],
      },
      { name: 'cors', label: 'Configure CORS', type: 'checkbox', default: 'false' },
      {
        name: 'allowOrigins',
        label: 'Allowed origins',
        type: 'text',
        default: '*',
        help: 'Comma-separated, e.g. https://example.com',
        when: (s) => yes(s.cors),
      },
      {
        name: 'allowMethods',
        label: 'Allowed methods',
        type: 'text',
        default: '*',
        when: (s) => yes(s.cors),
      },
    ],
    create: async (fn, s) => (await url()).createUrl(fn, s),
    list: async (fn) => (await url()).listUrls(fn),
    fieldOf: (e) => (/cors|origin/i.test(e.message) ? 'allowOrigins' : undefined),
  },
  {
    id: 'route',
    label: 'HTTP API route',
    description: 'A route of an API Gateway v2 HTTP API, e.g. GET /users/{id}.',
    fields: [
      {
        name: 'apiId',
        label: 'API',
        type: 'select',
        default: '',
        options: [{ value: '', label: 'A new HTTP API (quick create)' }],
        loadOptions: async () => (await route()).apiOptions(),
      },
      {
        name: 'apiName',
        label: 'New API name',
        type: 'text',
        placeholder: 'the function name',
        when: (s) => !s.apiId,
      },
      {
        name: 'routeKey',
        label: 'Route',
        type: 'text',
        default: 'ANY /{proxy+}',
        help: 'METHOD /path, ANY, or $default',
      },
      {
        name: 'payloadFormatVersion',
        label: 'Payload format',
        type: 'select',
        default: '2.0',
        options: [
          { value: '2.0', label: '2.0' },
          { value: '1.0', label: '1.0 (REST API style)' },
        ],
      },
    ],
    create: async (fn, s) => (await route()).createRoute(fn, s),
    list: async (fn) => (await route()).listRoutes(fn),
    fieldOf: (e) =>
      /route ?key|route/i.test(e.message) ? 'routeKey' : /api/i.test(e.message) ? 'apiId' : undefined,
  },
  {
    id: 'bucket',
    label: 'Bucket upload',
    description: 'Runs (asynchronously) with the S3 event when objects are created or removed in a bucket.',
    fields: [
      {
        name: 'bucket',
        label: 'Bucket',
        type: 'text',
        placeholder: 'photos',
        loadOptions: async () => (await bucket()).bucketOptions(),
      },
      {
        name: 'createBucket',
        label: 'Create the bucket if it does not exist',
        type: 'checkbox',
        default: 'true',
      },
      {
        name: 'events',
        label: 'Events',
        type: 'select',
        default: 's3:ObjectCreated:*',
        options: [
          { value: 's3:ObjectCreated:*', label: 'All object create events' },
          { value: 's3:ObjectCreated:Put', label: 'PUT only' },
          { value: 's3:ObjectRemoved:*', label: 'All object delete events' },
          { value: 's3:ObjectCreated:*,s3:ObjectRemoved:*', label: 'Created and removed' },
        ],
      },
      { name: 'prefix', label: 'Prefix', type: 'text', placeholder: 'uploads/' },
      { name: 'suffix', label: 'Suffix', type: 'text', placeholder: '.jpg' },
    ],
    create: async (fn, s) => (await bucket()).createBucketTrigger(fn, s),
    list: async (fn) => (await bucket()).listBucketTriggers(fn),
    fieldOf: (e) =>
      /bucket/i.test(e.code) || /bucket/i.test(e.message)
        ? 'bucket'
        : /prefix|suffix|overlap|filter/i.test(e.message)
          ? 'prefix'
          : undefined,
  },
  {
    id: 'queue',
    label: 'Queue',
    description: 'Runs with batches of messages from a queue of this Nimbus (the SQS API).',
    fields: [
      {
        name: 'queue',
        label: 'Queue',
        type: 'text',
        placeholder: 'orders',
        loadOptions: async () => (await mapping()).queueOptions(),
      },
      {
        name: 'createQueue',
        label: 'Create the queue if it does not exist',
        type: 'checkbox',
        default: 'true',
      },
      { name: 'batchSize', label: 'Batch size', type: 'number', default: '10' },
      {
        name: 'maximumBatchingWindowInSeconds',
        label: 'Batching window (seconds)',
        type: 'number',
        default: '0',
      },
      {
        name: 'reportBatchItemFailures',
        label: 'Report batch item failures',
        type: 'checkbox',
        default: 'false',
      },
    ],
    create: async (fn, s) => (await mapping()).createQueueTrigger(fn, s),
    list: async (fn) => (await mapping()).listMappings(fn, 'queue'),
    fieldOf: (e) =>
      /queue/i.test(e.code) || /queue/i.test(e.message)
        ? 'queue'
        : /window/i.test(e.message)
          ? 'maximumBatchingWindowInSeconds'
          : /batch ?size/i.test(e.message)
            ? 'batchSize'
            : undefined,
  },
  {
    id: 'schedule',
    label: 'Schedule',
    description:
      'Runs (asynchronously) on a rate, a cron expression or once, in a time zone (EventBridge Scheduler).',
    fields: [
      {
        name: 'scheduleExpression',
        label: 'Expression',
        type: 'text',
        default: 'rate(5 minutes)',
        help: 'rate(5 minutes), cron(0 9 ? * MON-FRI *) or at(2030-01-01T09:00:00)',
      },
      {
        name: 'scheduleExpressionTimezone',
        label: 'Time zone',
        type: 'text',
        default: 'UTC',
        help: 'IANA name the cron and at() times are read in, e.g. Europe/Paris',
        loadOptions: async () => (await schedule()).timeZoneOptions(),
      },
      { name: 'name', label: 'Schedule name', type: 'text', placeholder: 'the function name' },
      {
        name: 'input',
        label: 'Event (JSON)',
        type: 'text',
        placeholder: 'the scheduled event',
        help: 'What the function receives; empty for the scheduled event',
      },
      {
        name: 'state',
        label: 'State',
        type: 'select',
        default: 'ENABLED',
        options: [
          { value: 'ENABLED', label: 'ENABLED' },
          { value: 'DISABLED', label: 'DISABLED (created, does not fire)' },
        ],
      },
    ],
    create: async (fn, s) => (await schedule()).createSchedule(fn, s),
    list: async (fn) => (await schedule()).listSchedules(fn),
    fieldOf: (e) =>
      / at '[A-Za-z.]+'/.test(e.message)
        ? undefined
        : /timezone|time zone/i.test(e.message)
          ? 'scheduleExpressionTimezone'
          : /expression/i.test(e.message)
            ? 'scheduleExpression'
            : /input/i.test(e.message)
              ? 'input'
              : /already exists/i.test(e.message)
                ? 'name'
                : undefined,
  },
  {
    id: 'database',
    label: 'Database table',
    description:
      'Runs with row changes (insert, update, delete) of PostgreSQL tables, through logical replication.',
    fields: [
      {
        name: 'postgresUrl',
        label: 'Connection string',
        type: 'text',
        placeholder: 'postgres://user:password@host:5432/database',
      },
      {
        name: 'table',
        label: 'Tables',
        type: 'text',
        placeholder: 'public.orders',
        help: 'schema.table, comma-separated',
      },
      {
        name: 'startingPosition',
        label: 'Starting position',
        type: 'select',
        default: 'LATEST',
        options: [
          { value: 'LATEST', label: 'LATEST' },
          { value: 'TRIM_HORIZON', label: 'TRIM_HORIZON' },
        ],
      },
      { name: 'batchSize', label: 'Batch size', type: 'number', default: '100' },
    ],
    create: async (fn, s) => (await mapping()).createDatabaseTrigger(fn, s),
    list: async (fn) => (await mapping()).listMappings(fn, 'database'),
    fieldOf: (e) =>
      /table|relation/i.test(e.message)
        ? 'table'
        : /postgres|connect|database|password|host|wal_level|replication/i.test(e.message)
          ? 'postgresUrl'
          : /batch ?size/i.test(e.message)
            ? 'batchSize'
            : undefined,
  },
];

/** The default settings of a kind's fields. */
export function defaults(kind: TriggerKind | undefined): Settings {
  const s: Settings = {};
  for (const f of kind?.fields ?? []) if (f.default !== undefined) s[f.name] = f.default;
  return s;
}

/** Every trigger of a function, from each kind's API. */
export async function listTriggers(fn: FunctionTarget): Promise<TriggerRow[]> {
  const lists = await Promise.all(TRIGGERS.map((k) => k.list?.(fn) ?? Promise.resolve([])));
  return lists.flat();
}

/** The function's identity from its ARN (`arn:aws:lambda:region:account:function:name`). */
export function targetOf(functionArn: string): FunctionTarget {
  const parts = functionArn.split(':');
  return {
    name: parts[6] ?? functionArn,
    arn: parts.slice(0, 7).join(':'),
    region: parts[3] ?? 'us-east-1',
    accountId: parts[4] ?? '000000000000',
  };
}
