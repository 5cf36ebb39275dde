/** S3's documented limits, named once (Amazon S3 User Guide: "Amazon S3 multipart upload limits", "Naming objects", "Bucket naming rules"). */

/** Object keys are at most 1024 bytes of UTF-8. */
export const KEY_MAX_BYTES = 1024;
/** One PutObject / UploadPart body. */
export const SINGLE_UPLOAD_MAX_BYTES = 5 * 1024 ** 3;
/** Every part but the last must be at least this big. */
export const PART_MIN_BYTES = 5 * 1024 ** 2;
export const PART_NUMBER_MAX = 10_000;
/** Keys per DeleteObjects request. */
export const DELETE_OBJECTS_MAX = 1000;
/** ListObjects / ListObjectsV2 / ListParts default and maximum page size. */
export const LIST_MAX_KEYS = 1000;
/** Bucket-level XML bodies (notification configuration, DeleteObjects, CompleteMultipartUpload). */
export const XML_BODY_MAX_BYTES = 10 * 1024 ** 2;
/** User-defined metadata (`x-amz-meta-*` names and values). */
export const USER_METADATA_MAX_BYTES = 2048;
