import { z } from 'zod';
import { SqsError } from '../../queues/sqs-errors.js';

/**
 * Request members of each SQS operation in the JSON protocol's names. The query protocol is
 * decoded into the same shape first, so integers may arrive as decimal strings.
 */
const Int = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);
const StringMap = z.record(z.string(), z.string());
const Names = z.array(z.string());

export const AttributeValue = z.object({
  DataType: z.string().optional(),
  StringValue: z.string().optional(),
  BinaryValue: z.string().optional(),
  StringListValues: z.array(z.string()).optional(),
  BinaryListValues: z.array(z.string()).optional(),
});
export const AttributeMap = z.record(z.string(), AttributeValue);

export const CreateQueue = z.object({
  QueueName: z.string(),
  Attributes: StringMap.optional(),
  tags: StringMap.optional(),
});
export const QueueUrlOnly = z.object({ QueueUrl: z.string() });
export const GetQueueUrl = z.object({ QueueName: z.string(), QueueOwnerAWSAccountId: z.string().optional() });
export const ListQueues = z.object({
  QueueNamePrefix: z.string().optional(),
  NextToken: z.string().optional(),
  MaxResults: Int.optional(),
});
export const GetQueueAttributes = z.object({ QueueUrl: z.string(), AttributeNames: Names.optional() });
export const SetQueueAttributes = z.object({ QueueUrl: z.string(), Attributes: StringMap });

const MessageFields = {
  MessageBody: z.string(),
  DelaySeconds: Int.optional(),
  MessageAttributes: AttributeMap.optional(),
  MessageSystemAttributes: AttributeMap.optional(),
  MessageDeduplicationId: z.string().optional(),
  MessageGroupId: z.string().optional(),
};
export const SendMessage = z.object({ QueueUrl: z.string(), ...MessageFields });
export const SendMessageBatch = z.object({
  QueueUrl: z.string(),
  Entries: z.array(z.object({ Id: z.string(), ...MessageFields })),
});
export const ReceiveMessage = z.object({
  QueueUrl: z.string(),
  AttributeNames: Names.optional(),
  MessageSystemAttributeNames: Names.optional(),
  MessageAttributeNames: Names.optional(),
  MaxNumberOfMessages: Int.optional(),
  VisibilityTimeout: Int.optional(),
  WaitTimeSeconds: Int.optional(),
  ReceiveRequestAttemptId: z.string().optional(),
});
export const DeleteMessage = z.object({ QueueUrl: z.string(), ReceiptHandle: z.string() });
export const DeleteMessageBatch = z.object({
  QueueUrl: z.string(),
  Entries: z.array(z.object({ Id: z.string(), ReceiptHandle: z.string() })),
});
export const ChangeMessageVisibility = z.object({
  QueueUrl: z.string(),
  ReceiptHandle: z.string(),
  VisibilityTimeout: Int,
});
export const ChangeMessageVisibilityBatch = z.object({
  QueueUrl: z.string(),
  Entries: z.array(
    z.object({ Id: z.string(), ReceiptHandle: z.string(), VisibilityTimeout: Int.optional() }),
  ),
});
export const TagQueue = z.object({ QueueUrl: z.string(), Tags: StringMap });
export const UntagQueue = z.object({ QueueUrl: z.string(), TagKeys: Names });

/**
 * Parses an operation's input and words failures as SQS does: a missing member is
 * `MissingParameter`, anything else `InvalidParameterValue`.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input, { reportInput: true });
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const member = issue.path.map(String).join('.');
  const value = (issue as { input?: unknown }).input;
  if (issue.code === 'invalid_type' && value === undefined) {
    throw new SqsError('MissingParameter', `The request must contain the parameter ${member}.`);
  }
  throw new SqsError(
    'InvalidParameterValue',
    `Value ${typeof value === 'object' ? JSON.stringify(value) : String(value)} for parameter ${member} is invalid. Reason: ${issue.message}.`,
  );
}

export type AttributeValueInput = z.infer<typeof AttributeValue>;
