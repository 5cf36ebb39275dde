import { SqsError, type SqsErrorCode } from '../../queues/sqs-errors.js';

/**
 * The one place where queue errors become HTTP: status, the query protocol's error code (the
 * model's `awsQueryError` code where it has one), and who is at fault. The JSON protocol sends
 * the model shape name in `__type` and the query code in `x-amzn-query-error`, which SDKs use
 * to raise the same error class under both protocols.
 */
const ENCODING: Record<SqsErrorCode, { status: number; queryCode: string; fault: 'Sender' | 'Receiver' }> = {
  BatchEntryIdsNotDistinct: {
    status: 400,
    queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    fault: 'Sender',
  },
  BatchRequestTooLong: {
    status: 400,
    queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong',
    fault: 'Sender',
  },
  EmptyBatchRequest: { status: 400, queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest', fault: 'Sender' },
  InternalError: { status: 500, queryCode: 'InternalError', fault: 'Receiver' },
  InvalidAction: { status: 400, queryCode: 'InvalidAction', fault: 'Sender' },
  InvalidAddress: { status: 404, queryCode: 'InvalidAddress', fault: 'Sender' },
  InvalidAttributeName: { status: 400, queryCode: 'InvalidAttributeName', fault: 'Sender' },
  InvalidAttributeValue: { status: 400, queryCode: 'InvalidAttributeValue', fault: 'Sender' },
  InvalidBatchEntryId: {
    status: 400,
    queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId',
    fault: 'Sender',
  },
  InvalidIdFormat: { status: 400, queryCode: 'InvalidIdFormat', fault: 'Sender' },
  InvalidClientTokenId: { status: 403, queryCode: 'InvalidClientTokenId', fault: 'Sender' },
  MissingAuthenticationToken: { status: 403, queryCode: 'MissingAuthenticationToken', fault: 'Sender' },
  SignatureDoesNotMatch: { status: 403, queryCode: 'SignatureDoesNotMatch', fault: 'Sender' },
  InvalidMessageContents: { status: 400, queryCode: 'InvalidMessageContents', fault: 'Sender' },
  InvalidParameterValue: { status: 400, queryCode: 'InvalidParameterValue', fault: 'Sender' },
  MessageNotInflight: {
    status: 400,
    queryCode: 'AWS.SimpleQueueService.MessageNotInflight',
    fault: 'Sender',
  },
  MissingParameter: { status: 400, queryCode: 'MissingParameter', fault: 'Sender' },
  OverLimit: { status: 403, queryCode: 'OverLimit', fault: 'Sender' },
  PurgeQueueInProgress: {
    status: 403,
    queryCode: 'AWS.SimpleQueueService.PurgeQueueInProgress',
    fault: 'Sender',
  },
  QueueDoesNotExist: { status: 400, queryCode: 'AWS.SimpleQueueService.NonExistentQueue', fault: 'Sender' },
  QueueNameExists: { status: 400, queryCode: 'QueueAlreadyExists', fault: 'Sender' },
  ReceiptHandleIsInvalid: { status: 404, queryCode: 'ReceiptHandleIsInvalid', fault: 'Sender' },
  TooManyEntriesInBatchRequest: {
    status: 400,
    queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    fault: 'Sender',
  },
  UnsupportedOperation: {
    status: 400,
    queryCode: 'AWS.SimpleQueueService.UnsupportedOperation',
    fault: 'Sender',
  },
};

export const XML_NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';

export interface EncodedSqsError {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The query protocol's code for an error (also used in batch results' `Code`). */
export const queryCode = (e: SqsError) => ENCODING[e.code].queryCode;
export const senderFault = (e: SqsError) => ENCODING[e.code].fault === 'Sender';

export function encodeJsonError(e: SqsError): EncodedSqsError {
  const enc = ENCODING[e.code];
  return {
    status: enc.status,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-query-error': `${enc.queryCode};${enc.fault}`,
    },
    body: JSON.stringify({ __type: `com.amazonaws.sqs#${e.code}`, message: e.message }),
  };
}

export function encodeQueryError(e: SqsError, requestId: string): EncodedSqsError {
  const enc = ENCODING[e.code];
  const body =
    `<?xml version="1.0"?><ErrorResponse xmlns="${XML_NAMESPACE}"><Error><Type>${enc.fault}</Type>` +
    `<Code>${escapeXml(enc.queryCode)}</Code><Message>${escapeXml(e.message)}</Message><Detail/></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { status: enc.status, headers: { 'content-type': 'text/xml' }, body };
}

export function internalSqsError(): SqsError {
  return new SqsError('InternalError', 'We encountered an internal error. Please try again.');
}

/**
 * XML text escaping. Carriage returns become `&#xD;` because XML parsers turn a literal CR into
 * a line feed, and message bodies must come back byte for byte.
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default:
        return '&#xD;';
    }
  });
}
