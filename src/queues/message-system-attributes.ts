import type { MessageAttributes } from './message-digest.js';
import type { StoredMessage } from './queue-model.js';
import { sequenceNumber } from './queue-service.js';

/** Every system attribute SQS reports for a received message, as strings. */
export function systemAttributesOf(m: StoredMessage, fifo: boolean): Record<string, string> {
  const out: Record<string, string> = {
    SenderId: m.senderId,
    SentTimestamp: String(m.sentAt),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
  };
  const trace = m.systemAttributes.AWSTraceHeader?.StringValue;
  if (trace !== undefined) out.AWSTraceHeader = trace;
  if (fifo) {
    out.SequenceNumber = sequenceNumber(m.seq);
    if (m.dedupId !== undefined) out.MessageDeduplicationId = m.dedupId;
    if (m.groupId !== undefined) out.MessageGroupId = m.groupId;
  }
  return out;
}

/**
 * The message attributes a receiver asked for: `All` or `.*`, exact names, or prefixes written
 * `prefix.*`.
 */
export function selectMessageAttributes(all: MessageAttributes, names: readonly string[]): MessageAttributes {
  if (names.length === 0) return {};
  if (names.includes('All') || names.includes('.*')) return all;
  const out: MessageAttributes = {};
  for (const [n, v] of Object.entries(all)) {
    const hit = names.some((want) => (want.endsWith('.*') ? n.startsWith(want.slice(0, -1)) : n === want));
    if (hit) out[n] = v;
  }
  return out;
}
