import type { Feature } from '../app.js';
import { concurrency } from './concurrency.js';
import { lambdaCore } from './lambda-core.js';
import { nimbusApi } from './nimbus-api.js';

/** Installed in this order. A feature adds its own file and one line here. */
export const FEATURES: readonly Feature[] = [lambdaCore, concurrency, nimbusApi];
