/** Lambda's documented limits, named once (lambda-reference §8, §2.4). */

export const TIMEOUT_MIN_SECONDS = 1;
export const TIMEOUT_MAX_SECONDS = 900;
export const TIMEOUT_DEFAULT_SECONDS = 3;

export const MEMORY_MIN_MB = 128;
export const MEMORY_MAX_MB = 10_240;
export const MEMORY_DEFAULT_MB = 128;

export const EPHEMERAL_STORAGE_MIN_MB = 512;
export const EPHEMERAL_STORAGE_MAX_MB = 10_240;
export const EPHEMERAL_STORAGE_DEFAULT_MB = 512;

/** Total size of all environment variable keys and values (as JSON, like AWS measures it). */
export const ENVIRONMENT_MAX_BYTES = 4_096;

/** Zipped deployment package for direct upload. */
export const ZIP_MAX_BYTES = 52_428_800;
/** A CreateFunction / UpdateFunctionCode request body (base64 of 50 MB plus JSON). */
export const CODE_REQUEST_MAX_BYTES = 69_905_067;
/** Unzipped code including layers. */
export const UNZIPPED_MAX_BYTES = 262_144_000;
/** Entries per zip; a guard against archives of millions of empty files. */
export const ZIP_MAX_ENTRIES = 100_000;
/** Total code storage of the account. */
export const TOTAL_CODE_SIZE_MAX_BYTES = 80_530_636_800;

/** Synchronous invoke request payload. */
export const SYNC_PAYLOAD_MAX_BYTES = 6_291_456;
/** Synchronous invoke response payload (100 bytes more than the request limit). */
export const SYNC_RESPONSE_MAX_BYTES = 6_291_556;
/** Asynchronous (`Event`) invoke payload. */
export const ASYNC_PAYLOAD_MAX_BYTES = 1_048_576;
/** The deprecated InvokeAsync operation keeps the historical limit. */
export const INVOKE_ASYNC_PAYLOAD_MAX_BYTES = 262_144;
/** Base64 `X-Amz-Client-Context`. */
export const CLIENT_CONTEXT_MAX_BYTES = 3_583;
/** Control-plane JSON bodies other than code uploads. */
export const CONTROL_REQUEST_MAX_BYTES = 1_048_576;

/** `X-Amz-Log-Result` carries the last 4 KB of the invocation's log. */
export const LOG_TAIL_BYTES = 4_096;

/** On-demand init phase budget. */
export const INIT_TIMEOUT_MS = 10_000;

export const FUNCTION_NAME_MAX = 64;
export const DESCRIPTION_MAX = 256;
export const HANDLER_MAX = 128;
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;
export const TAGS_MAX = 50;
export const LIST_MAX_ITEMS = 50;

/** Account-wide concurrency AWS grants by default; Nimbus lowers it to what the host can hold. */
export const AWS_DEFAULT_ACCOUNT_CONCURRENCY = 1_000;
/** Concurrency that must stay unreserved. */
export const UNRESERVED_CONCURRENCY_MIN = 100;

/** Layers per function. */
export const LAYERS_MAX = 5;
/** Runtimes a layer version may declare. */
export const LAYER_COMPATIBLE_RUNTIMES_MAX = 15;
/** How long a dependency install or transpile step may run at deploy. */
export const BUILD_TIMEOUT_MS = 600_000;

/** A function's (or version's, or alias's) resource-based policy, serialised (lambda-reference §5). */
export const RESOURCE_POLICY_MAX_BYTES = 20_480;
/** `StatementId` length. */
export const STATEMENT_ID_MAX = 100;
