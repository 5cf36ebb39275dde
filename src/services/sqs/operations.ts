import { type MessageAttributes, md5OfAttributes } from '../../queues/message-digest.js';
import { selectMessageAttributes, systemAttributesOf } from '../../queues/message-system-attributes.js';
import { queueNameFromUrl, queueUrl } from '../../queues/queue-names.js';
import type { QueueService, ReceivedMessage, SendInput } from '../../queues/queue-service.js';
import { SqsError } from '../../queues/sqs-errors.js';
import { BATCH_ENTRY_ID_MAX, BATCH_MAX_ENTRIES, MESSAGE_MAX_BYTES } from '../../queues/sqs-limits.js';
import { queryCode, senderFault } from './error-encoding.js';
import * as S from './schemas.js';

export interface SqsCall {
  queues: QueueService;
  /** `http://host:port` as the client addressed the server (queue URLs are built on it). */
  baseUrl: string;
  /** Fires when the client goes away (ends long polls). */
  signal: AbortSignal;
}

/** What an operation answers; `undefined` for operations without output. */
export type SqsResult = Record<string, unknown> | undefined;
type Operation = (input: unknown, call: SqsCall) => Promise<SqsResult>;

const nameOf = (call: SqsCall, url: string) => queueNameFromUrl(call.queues.scope, url);
const urlOf = (call: SqsCall, name: string) => queueUrl(call.baseUrl, call.queues.scope, name);

/** Every supported operation, by its name in `X-Amz-Target` / `Action`. */
export const OPERATIONS: Record<string, Operation> = {
  async CreateQueue(input, call) {
    const r = S.parseInput(S.CreateQueue, input);
    const q = await call.queues.createQueue(r.QueueName, r.Attributes ?? {}, r.tags ?? {});
    return { QueueUrl: urlOf(call, q.name) };
  },
  async GetQueueUrl(input, call) {
    const r = S.parseInput(S.GetQueueUrl, input);
    if (r.QueueOwnerAWSAccountId !== undefined && r.QueueOwnerAWSAccountId !== call.queues.scope.accountId) {
      throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    }
    const q = await call.queues.getQueue(r.QueueName);
    return { QueueUrl: urlOf(call, q.name) };
  },
  async ListQueues(input, call) {
    const r = S.parseInput(S.ListQueues, input);
    const page = await call.queues.listQueues({
      ...(r.QueueNamePrefix ? { prefix: r.QueueNamePrefix } : {}),
      ...(r.MaxResults !== undefined ? { maxResults: r.MaxResults } : {}),
      ...(r.NextToken ? { nextToken: r.NextToken } : {}),
    });
    return {
      ...(page.names.length ? { QueueUrls: page.names.map((n) => urlOf(call, n)) } : {}),
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  },
  async DeleteQueue(input, call) {
    const r = S.parseInput(S.QueueUrlOnly, input);
    await call.queues.deleteQueue(nameOf(call, r.QueueUrl));
    return undefined;
  },
  async GetQueueAttributes(input, call) {
    const r = S.parseInput(S.GetQueueAttributes, input);
    const names = r.AttributeNames ?? [];
    const attributes = await call.queues.getAttributes(nameOf(call, r.QueueUrl), names);
    return Object.keys(attributes).length ? { Attributes: attributes } : {};
  },
  async SetQueueAttributes(input, call) {
    const r = S.parseInput(S.SetQueueAttributes, input);
    await call.queues.setAttributes(nameOf(call, r.QueueUrl), r.Attributes);
    return undefined;
  },
  async PurgeQueue(input, call) {
    const r = S.parseInput(S.QueueUrlOnly, input);
    await call.queues.purge(nameOf(call, r.QueueUrl));
    return undefined;
  },
  async ListDeadLetterSourceQueues(input, call) {
    const r = S.parseInput(S.QueueUrlOnly, input);
    const names = await call.queues.listDeadLetterSourceQueues(nameOf(call, r.QueueUrl));
    return { queueUrls: names.map((n) => urlOf(call, n)) };
  },
  async TagQueue(input, call) {
    const r = S.parseInput(S.TagQueue, input);
    await call.queues.tagQueue(nameOf(call, r.QueueUrl), r.Tags);
    return undefined;
  },
  async UntagQueue(input, call) {
    const r = S.parseInput(S.UntagQueue, input);
    await call.queues.untagQueue(nameOf(call, r.QueueUrl), r.TagKeys);
    return undefined;
  },
  async ListQueueTags(input, call) {
    const r = S.parseInput(S.QueueUrlOnly, input);
    const q = await call.queues.getQueue(nameOf(call, r.QueueUrl));
    return Object.keys(q.tags).length ? { Tags: q.tags } : {};
  },
  async SendMessage(input, call) {
    const r = S.parseInput(S.SendMessage, input);
    const sent = await call.queues.send(nameOf(call, r.QueueUrl), sendInput(r));
    return renderSent(sent);
  },
  async SendMessageBatch(input, call) {
    const r = S.parseInput(S.SendMessageBatch, input);
    const name = nameOf(call, r.QueueUrl);
    checkBatch(r.Entries, 'SendMessageBatchRequestEntry');
    const total = r.Entries.reduce(
      (n, e) => n + Buffer.byteLength(e.MessageBody, 'utf8') + attributesSize(e.MessageAttributes),
      0,
    );
    if (total > MESSAGE_MAX_BYTES) {
      throw new SqsError(
        'BatchRequestTooLong',
        `Batch requests cannot be longer than ${MESSAGE_MAX_BYTES} bytes. You have sent ${total} bytes.`,
      );
    }
    const entries: { id: string; input: SendInput }[] = [];
    const failed: Record<string, unknown>[] = [];
    for (const e of r.Entries) {
      try {
        entries.push({ id: e.Id, input: sendInput(e) });
      } catch (err) {
        failed.push(batchFailure(e.Id, err));
      }
    }
    const out = await call.queues.sendBatch(name, entries);
    return {
      Successful: out.successful.map((s) => ({ Id: s.id, ...renderSent(s.result) })),
      Failed: [...failed, ...out.failed.map((f) => batchFailure(f.id, f.error))],
    };
  },
  async ReceiveMessage(input, call) {
    const r = S.parseInput(S.ReceiveMessage, input);
    const name = nameOf(call, r.QueueUrl);
    const q = await call.queues.getQueue(name);
    const messages = await call.queues.receive(name, {
      ...(r.MaxNumberOfMessages !== undefined ? { max: r.MaxNumberOfMessages } : {}),
      ...(r.VisibilityTimeout !== undefined ? { visibilityTimeout: r.VisibilityTimeout } : {}),
      ...(r.WaitTimeSeconds !== undefined ? { waitSeconds: r.WaitTimeSeconds } : {}),
      signal: call.signal,
    });
    const systemNames = [...(r.AttributeNames ?? []), ...(r.MessageSystemAttributeNames ?? [])];
    const attributeNames = r.MessageAttributeNames ?? [];
    return messages.length
      ? { Messages: messages.map((m) => renderReceived(m, q.fifo, systemNames, attributeNames)) }
      : {};
  },
  async DeleteMessage(input, call) {
    const r = S.parseInput(S.DeleteMessage, input);
    await call.queues.deleteMessage(nameOf(call, r.QueueUrl), r.ReceiptHandle);
    return undefined;
  },
  async DeleteMessageBatch(input, call) {
    const r = S.parseInput(S.DeleteMessageBatch, input);
    const name = nameOf(call, r.QueueUrl);
    await call.queues.getQueue(name);
    checkBatch(r.Entries, 'DeleteMessageBatchRequestEntry');
    return eachEntry(r.Entries, (e) => call.queues.deleteMessage(name, e.ReceiptHandle));
  },
  async ChangeMessageVisibility(input, call) {
    const r = S.parseInput(S.ChangeMessageVisibility, input);
    await call.queues.changeVisibility(nameOf(call, r.QueueUrl), r.ReceiptHandle, r.VisibilityTimeout);
    return undefined;
  },
  async ChangeMessageVisibilityBatch(input, call) {
    const r = S.parseInput(S.ChangeMessageVisibilityBatch, input);
    const name = nameOf(call, r.QueueUrl);
    await call.queues.getQueue(name);
    checkBatch(r.Entries, 'ChangeMessageVisibilityBatchRequestEntry');
    return eachEntry(r.Entries, (e) =>
      call.queues.changeVisibility(name, e.ReceiptHandle, e.VisibilityTimeout ?? 0),
    );
  },
};

function sendInput(r: {
  MessageBody: string;
  DelaySeconds?: number | undefined;
  MessageAttributes?: Record<string, S.AttributeValueInput> | undefined;
  MessageSystemAttributes?: Record<string, S.AttributeValueInput> | undefined;
  MessageGroupId?: string | undefined;
  MessageDeduplicationId?: string | undefined;
}): SendInput {
  return {
    body: r.MessageBody,
    ...(r.DelaySeconds !== undefined ? { delaySeconds: r.DelaySeconds } : {}),
    attributes: toAttributes(r.MessageAttributes),
    systemAttributes: toAttributes(r.MessageSystemAttributes),
    ...(r.MessageGroupId !== undefined ? { groupId: r.MessageGroupId } : {}),
    ...(r.MessageDeduplicationId !== undefined ? { dedupId: r.MessageDeduplicationId } : {}),
  };
}

function toAttributes(input: Record<string, S.AttributeValueInput> | undefined): MessageAttributes {
  const out: MessageAttributes = {};
  for (const [name, v] of Object.entries(input ?? {})) {
    if (v.StringListValues?.length || v.BinaryListValues?.length) {
      throw new SqsError(
        'InvalidParameterValue',
        `Message attribute list values in '${name}' are not supported.`,
      );
    }
    let binary: Buffer | undefined;
    if (v.BinaryValue !== undefined) {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v.BinaryValue)) {
        throw new SqsError(
          'InvalidParameterValue',
          `The binary value of message attribute '${name}' is not valid base64.`,
        );
      }
      binary = Buffer.from(v.BinaryValue, 'base64');
    }
    out[name] = {
      DataType: v.DataType ?? '',
      ...(v.StringValue !== undefined ? { StringValue: v.StringValue } : {}),
      ...(binary !== undefined ? { BinaryValue: binary } : {}),
    };
  }
  return out;
}

function attributesSize(input: Record<string, S.AttributeValueInput> | undefined): number {
  let n = 0;
  for (const [name, v] of Object.entries(input ?? {})) {
    n += Buffer.byteLength(name) + Buffer.byteLength(v.DataType ?? '');
    n +=
      v.StringValue !== undefined
        ? Buffer.byteLength(v.StringValue)
        : Math.floor(((v.BinaryValue ?? '').length * 3) / 4);
  }
  return n;
}

function renderSent(s: {
  messageId: string;
  md5OfBody: string;
  md5OfAttributes?: string;
  md5OfSystemAttributes?: string;
  sequenceNumber?: string;
}) {
  return {
    MessageId: s.messageId,
    MD5OfMessageBody: s.md5OfBody,
    ...(s.md5OfAttributes ? { MD5OfMessageAttributes: s.md5OfAttributes } : {}),
    ...(s.md5OfSystemAttributes ? { MD5OfMessageSystemAttributes: s.md5OfSystemAttributes } : {}),
    ...(s.sequenceNumber ? { SequenceNumber: s.sequenceNumber } : {}),
  };
}

function renderReceived(m: ReceivedMessage, fifo: boolean, systemNames: string[], attributeNames: string[]) {
  const system = systemAttributesOf(m, fifo);
  const all = systemNames.includes('All');
  const attributes: Record<string, string> = {};
  for (const [n, v] of Object.entries(system)) if (all || systemNames.includes(n)) attributes[n] = v;
  const selected = selectMessageAttributes(m.attributes, attributeNames);
  const md5 = md5OfAttributes(selected);
  return {
    MessageId: m.messageId,
    ReceiptHandle: m.receiptHandle,
    MD5OfBody: m.md5OfBody,
    Body: m.body,
    ...(Object.keys(attributes).length ? { Attributes: attributes } : {}),
    ...(md5 ? { MD5OfMessageAttributes: md5 } : {}),
    ...(Object.keys(selected).length
      ? {
          MessageAttributes: Object.fromEntries(
            Object.entries(selected).map(([n, v]) => [
              n,
              {
                DataType: v.DataType,
                ...(v.StringValue !== undefined ? { StringValue: v.StringValue } : {}),
                ...(v.BinaryValue !== undefined ? { BinaryValue: v.BinaryValue.toString('base64') } : {}),
              },
            ]),
          ),
        }
      : {}),
  };
}

/** The checks every batch operation makes before looking at any entry. */
function checkBatch(entries: readonly { Id: string }[], entryName: string): void {
  if (entries.length === 0) {
    throw new SqsError('EmptyBatchRequest', `There should be at least one ${entryName} in the request.`);
  }
  if (entries.length > BATCH_MAX_ENTRIES) {
    throw new SqsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${BATCH_MAX_ENTRIES}. You have sent ${entries.length}.`,
    );
  }
  const seen = new Set<string>();
  for (const e of entries) {
    if (!/^[A-Za-z0-9_-]+$/.test(e.Id) || e.Id.length > BATCH_ENTRY_ID_MAX) {
      throw new SqsError(
        'InvalidBatchEntryId',
        `A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most ${BATCH_ENTRY_ID_MAX} letters long.`,
      );
    }
    if (seen.has(e.Id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${e.Id} repeated.`);
    seen.add(e.Id);
  }
}

function batchFailure(id: string, err: unknown): Record<string, unknown> {
  if (!(err instanceof SqsError)) throw err;
  return { Id: id, SenderFault: senderFault(err), Code: queryCode(err), Message: err.message };
}

async function eachEntry<E extends { Id: string }>(entries: readonly E[], run: (e: E) => Promise<void>) {
  const Successful: Record<string, unknown>[] = [];
  const Failed: Record<string, unknown>[] = [];
  for (const e of entries) {
    try {
      await run(e);
      Successful.push({ Id: e.Id });
    } catch (err) {
      Failed.push(batchFailure(e.Id, err));
    }
  }
  return { Successful, Failed };
}
