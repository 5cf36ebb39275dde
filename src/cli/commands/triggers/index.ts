import { bucketTrigger } from './bucket-trigger.js';
import { postgresTrigger } from './postgres-trigger.js';
import { queueTrigger } from './queue-trigger.js';
import type { TriggerKind } from './trigger-kind.js';

/** Every kind `nimbus trigger add` knows. A kind adds its file and one line here. */
export const TRIGGER_KINDS: readonly TriggerKind[] = [queueTrigger, postgresTrigger, bucketTrigger];
