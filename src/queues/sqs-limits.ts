/** SQS quotas and defaults, named once (SQS Developer Guide, "Amazon SQS quotas"). */

export const QUEUE_NAME_MAX = 80;
export const VISIBILITY_TIMEOUT_MAX_SECONDS = 43_200;
export const VISIBILITY_TIMEOUT_DEFAULT_SECONDS = 30;
export const DELAY_MAX_SECONDS = 900;
export const RETENTION_MIN_SECONDS = 60;
export const RETENTION_MAX_SECONDS = 1_209_600;
export const RETENTION_DEFAULT_SECONDS = 345_600;
export const RECEIVE_WAIT_MAX_SECONDS = 20;
/**
 * The message size limit Nimbus keeps: 256 KiB, the limit SQS had until August 2025 (it now
 * allows up to 1 MiB). Also the default `MaximumMessageSize`.
 */
export const MESSAGE_MAX_BYTES = 262_144;
export const MESSAGE_MIN_LIMIT_BYTES = 1_024;
export const RECEIVE_MAX_MESSAGES = 10;
export const BATCH_MAX_ENTRIES = 10;
export const BATCH_ENTRY_ID_MAX = 80;
export const MESSAGE_ATTRIBUTES_MAX = 10;
export const MESSAGE_ATTRIBUTE_NAME_MAX = 256;
export const MAX_RECEIVE_COUNT_MAX = 1_000;
/** FIFO queues drop a message whose deduplication id was seen within this interval. */
export const FIFO_DEDUP_INTERVAL_MS = 5 * 60_000;
export const FIFO_ID_MAX = 128;
/** ListQueues returns at most this many URLs per page. */
export const LIST_QUEUES_MAX = 1_000;
/** PurgeQueue may be called once per this interval per queue. */
export const PURGE_INTERVAL_MS = 60_000;
/** The request body limit of the SQS surface: a full batch plus protocol overhead. */
export const SQS_REQUEST_MAX_BYTES = 2 * 1024 * 1024;
