import type { MessageAttributes } from '../../queues/message-digest.js';
import { md5OfAttributes } from '../../queues/message-digest.js';
import { systemAttributesOf } from '../../queues/message-system-attributes.js';
import type { ReceivedMessage } from '../../queues/queue-service.js';

/** One record of the SQS event (lambda-reference §7.4). */
export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<
    string,
    {
      stringValue?: string;
      binaryValue?: string;
      stringListValues: string[];
      binaryListValues: string[];
      dataType: string;
    }
  >;
  md5OfMessageAttributes?: string;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

/** The record Lambda hands a function for one message (pure; no I/O). */
export function sqsRecord(
  m: ReceivedMessage,
  o: { queueArn: string; region: string; fifo: boolean },
): SqsRecord {
  const md5 = md5OfAttributes(m.attributes);
  return {
    messageId: m.messageId,
    receiptHandle: m.receiptHandle,
    body: m.body,
    attributes: systemAttributesOf(m, o.fifo),
    messageAttributes: lambdaAttributes(m.attributes),
    ...(md5 ? { md5OfMessageAttributes: md5 } : {}),
    md5OfBody: m.md5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: o.queueArn,
    awsRegion: o.region,
  };
}

/** Lambda writes message attributes in camelCase, binary values in base64, with empty lists. */
function lambdaAttributes(attributes: MessageAttributes): SqsRecord['messageAttributes'] {
  const out: SqsRecord['messageAttributes'] = {};
  for (const [name, v] of Object.entries(attributes)) {
    out[name] = {
      ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { binaryValue: v.BinaryValue.toString('base64') } : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: v.DataType,
    };
  }
  return out;
}

/**
 * What filter patterns are matched against: the record, with a JSON body parsed into an object
 * (Lambda filters SQS bodies by their JSON fields when the body is JSON).
 */
export function filterView(r: SqsRecord): unknown {
  let body: unknown = r.body;
  try {
    const parsed: unknown = JSON.parse(r.body);
    if (parsed !== null && typeof parsed === 'object') body = parsed;
  } catch {
    // a plain-text body is matched as a string
  }
  return { ...r, body };
}
