import type { Feature } from '../app.js';
import { eventSourceMappings } from './event-source-mappings.js';
import { lambdaCore } from './lambda-core.js';
import { nimbusApi } from './nimbus-api.js';
import { queues } from './queues.js';

/** Installed in this order. A feature adds its own file and one line here. */
export const FEATURES: readonly Feature[] = [lambdaCore, nimbusApi, queues, eventSourceMappings];
