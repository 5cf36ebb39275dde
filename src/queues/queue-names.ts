import type { AccountScope } from '../domain/arn.js';
import { SqsError } from './sqs-errors.js';
import { QUEUE_NAME_MAX } from './sqs-limits.js';

const NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;

export const isFifoName = (name: string) => name.endsWith('.fifo');

/** Checks a queue name for CreateQueue, with SQS's wording. */
export function validateQueueName(name: string, fifo: boolean): void {
  if (fifo) {
    if (!FIFO_NAME.test(name)) {
      throw new SqsError(
        'InvalidParameterValue',
        `The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to ${QUEUE_NAME_MAX} in length.`,
      );
    }
    return;
  }
  if (!NAME.test(name)) {
    throw new SqsError(
      'InvalidParameterValue',
      `Can only include alphanumeric characters, hyphens, or underscores. 1 to ${QUEUE_NAME_MAX} in length`,
    );
  }
}

export function queueArn(scope: AccountScope, name: string): string {
  return `arn:aws:sqs:${scope.region}:${scope.accountId}:${name}`;
}

/** The queue name in an SQS ARN of this account and region, or `undefined`. */
export function queueNameFromArn(scope: AccountScope, arn: string): string | undefined {
  const m = /^arn:aws[a-zA-Z-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,80})$/.exec(arn);
  if (!m || m[1] !== scope.region || m[2] !== scope.accountId) return undefined;
  return m[3];
}

/** `http://<host>/<account>/<name>`: the host is the one the client used to reach Nimbus. */
export function queueUrl(base: string, scope: AccountScope, name: string): string {
  return `${base.replace(/\/+$/, '')}/${scope.accountId}/${name}`;
}

/** A path that names a queue: `/<12-digit account>/<name>`. */
export const QUEUE_PATH = /^\/(\d{12})\/([A-Za-z0-9_.-]{1,80})\/?$/;

/**
 * The queue name a `QueueUrl` parameter refers to. Any host is accepted (clients reach Nimbus
 * under many names); the path must be `/<account>/<name>` of this account.
 */
export function queueNameFromUrl(scope: AccountScope, url: string): string {
  let path = url;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    try {
      path = new URL(url).pathname;
    } catch {
      throw invalidAddress(url);
    }
  }
  const m = QUEUE_PATH.exec(path);
  if (!m) throw invalidAddress(url);
  if (m[1] !== scope.accountId)
    throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
  return m[2]!;
}

const invalidAddress = (url: string) =>
  new SqsError('InvalidAddress', `The address ${url} is not valid for this endpoint.`);
