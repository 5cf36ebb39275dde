import type { DestinationMessage, DestinationSender } from '../async/ports.js';
import { DestinationUnavailableError } from '../async/ports.js';
import { invalidParameter } from '../domain/errors.js';
import type { MessageAttributes } from './message-digest.js';
import type { QueueService } from './queue-service.js';

/**
 * Lets the built-in queues be asynchronous-invocation destinations (OnSuccess/OnFailure) and
 * dead-letter queues (`DeadLetterConfig.TargetArn`), as SQS queues are on Lambda. The invocation
 * record, or for a DLQ the original event, is the message body; a DLQ message carries the
 * `RequestID`, `ErrorCode` and `ErrorMessage` attributes Lambda adds (lambda-reference §3).
 */
export class QueueDestinationSender implements DestinationSender {
  readonly service = 'sqs';

  constructor(private readonly queues: QueueService) {}

  async validate(arn: string): Promise<void> {
    if (!(await this.queues.findByArn(arn))) throw invalidParameter(`The destination ARN ${arn} is invalid.`);
  }

  async send(arn: string, message: DestinationMessage): Promise<void> {
    const queue = await this.queues.findByArn(arn);
    if (!queue) throw new DestinationUnavailableError(`the queue ${arn} does not exist (any more)`);
    const attributes: MessageAttributes = {};
    if (message.attributes) {
      attributes.RequestID = { DataType: 'String', StringValue: message.attributes.RequestID };
      attributes.ErrorCode = { DataType: 'Number', StringValue: String(message.attributes.ErrorCode) };
      attributes.ErrorMessage = {
        DataType: 'String',
        StringValue: message.attributes.ErrorMessage.slice(0, 1024),
      };
    }
    await this.queues.send(queue.name, {
      body: message.body.toString('utf8'),
      ...(message.attributes ? { attributes } : {}),
      // FIFO queues need a group; one per source function keeps its records in order.
      ...(queue.name.endsWith('.fifo')
        ? { groupId: message.sourceFunctionArn, dedupId: message.requestId }
        : {}),
    });
  }
}
