import type { Feature } from '../app.js';
import { asyncInvoke } from './async-invoke.js';
import { cloudwatchLogs } from './cloudwatch-logs.js';
import { concurrency } from './concurrency.js';
import { webConsole } from './console.js';
import { eventSourceMappings } from './event-source-mappings.js';
import { httpTriggers } from './http-triggers.js';
import { integrations } from './integrations.js';
import { lambdaCore } from './lambda-core.js';
import { metricsEndpoint } from './metrics.js';
import { nimbusApi } from './nimbus-api.js';
import { packaging } from './packaging.js';
import { permissions } from './permissions.js';
import { queues } from './queues.js';
import { s3 } from './s3.js';
import { schedules } from './schedules.js';

/**
 * Installed in this order. A feature adds its own file and one line here. `webConsole` stays last:
 * host-routed surfaces (function URLs, S3 virtual hosts) must see their requests before the
 * console claims `/console` and a browser's `GET /`.
 */
export const FEATURES: readonly Feature[] = [
  lambdaCore,
  concurrency,
  nimbusApi,
  asyncInvoke,
  packaging,
  permissions,
  queues,
  eventSourceMappings,
  schedules,
  httpTriggers,
  s3,
  metricsEndpoint,
  cloudwatchLogs,
  integrations,
  webConsole,
];
