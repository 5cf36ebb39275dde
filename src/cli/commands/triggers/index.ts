import { bucketTrigger } from './bucket-trigger.js';
import { postgresTrigger } from './postgres-trigger.js';
import { queueTrigger } from './queue-trigger.js';
import { scheduleTrigger } from './schedule-trigger.js';
import type { TriggerKind } from './trigger-kind.js';

/**
 * Every kind `nimbus trigger add` knows. A kind adds its file and one line here. `scheduleTrigger`
 * comes before `bucketTrigger`: its ids (`schedule/<name>`) look like a bucket's (`<bucket>/<id>`).
 */
export const TRIGGER_KINDS: readonly TriggerKind[] = [
  queueTrigger,
  postgresTrigger,
  scheduleTrigger,
  bucketTrigger,
];
