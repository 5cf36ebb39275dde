/**
 * How Lambda reads a function's answer to a batch when the mapping has
 * `FunctionResponseTypes: ["ReportBatchItemFailures"]` (lambda-reference §7.4):
 * - complete success: an empty or `null` `batchItemFailures`, an empty or `null` response;
 * - complete failure: a response that is not JSON, an item with an empty, `null` or missing
 *   `itemIdentifier`, or an identifier that is not in the batch;
 * - otherwise the listed items failed and the rest succeeded.
 */
export type BatchVerdict =
  | { kind: 'success' }
  | { kind: 'partial'; failed: string[] }
  | { kind: 'failure'; reason: string };

export function readBatchItemFailures(payload: Buffer, idsInBatch: ReadonlySet<string>): BatchVerdict {
  const text = payload.toString('utf8').trim();
  if (text === '') return { kind: 'success' };
  let response: unknown;
  try {
    response = JSON.parse(text);
  } catch {
    return { kind: 'failure', reason: 'the function returned a response that is not JSON' };
  }
  if (response === null || typeof response !== 'object' || Array.isArray(response)) {
    return { kind: 'success' };
  }
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'failure', reason: 'batchItemFailures is not a list' };
  if (failures.length === 0) return { kind: 'success' };
  const failed: string[] = [];
  for (const item of failures) {
    const id =
      item !== null && typeof item === 'object'
        ? (item as { itemIdentifier?: unknown }).itemIdentifier
        : undefined;
    if (typeof id !== 'string' || id === '') {
      return { kind: 'failure', reason: 'a batch item failure has no itemIdentifier' };
    }
    if (!idsInBatch.has(id)) {
      return { kind: 'failure', reason: `itemIdentifier ${id} is not in the batch` };
    }
    if (!failed.includes(id)) failed.push(id);
  }
  return { kind: 'partial', failed };
}
