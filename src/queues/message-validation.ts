import type { MessageAttributes, MessageAttributeValue } from './message-digest.js';
import { SqsError } from './sqs-errors.js';
import { MESSAGE_ATTRIBUTE_NAME_MAX, MESSAGE_ATTRIBUTES_MAX } from './sqs-limits.js';

const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]+$/;
const DATA_TYPE = /^(String|Number|Binary)(\.[A-Za-z0-9_.-]{1,}){0,1}$/;

/**
 * Checks message (user) attributes as SQS does: at most 10; names of letters, digits, `_`, `-`
 * and `.`, not starting with `AWS.` or `Amazon.`, no leading, trailing or doubled dots; a data
 * type of String, Number or Binary (with an optional custom label) and a value of that type.
 */
export function validateMessageAttributes(attributes: MessageAttributes, kind = 'Message (user)'): void {
  const names = Object.keys(attributes);
  if (names.length > MESSAGE_ATTRIBUTES_MAX) {
    throw new SqsError(
      'InvalidParameterValue',
      `Number of message attributes [${names.length}] exceeds the allowed maximum [${MESSAGE_ATTRIBUTES_MAX}].`,
    );
  }
  for (const name of names) {
    if (
      name.length === 0 ||
      name.length > MESSAGE_ATTRIBUTE_NAME_MAX ||
      !ATTRIBUTE_NAME.test(name) ||
      name.startsWith('.') ||
      name.endsWith('.') ||
      name.includes('..') ||
      /^(aws\.|amazon\.)/i.test(name)
    ) {
      throw new SqsError('InvalidParameterValue', `${kind} attribute name '${name}' is invalid.`);
    }
    validateValue(name, attributes[name]!, kind);
  }
}

function validateValue(name: string, v: MessageAttributeValue, kind: string): void {
  if (!v.DataType) {
    throw new SqsError(
      'InvalidParameterValue',
      `The message attribute '${name}' must contain non-empty message attribute type.`,
    );
  }
  if (!DATA_TYPE.test(v.DataType) || v.DataType.length > 256) {
    throw new SqsError(
      'InvalidParameterValue',
      `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
    );
  }
  const base = v.DataType.split('.')[0]!;
  if (base === 'Binary') {
    if (v.BinaryValue === undefined || v.BinaryValue.length === 0) {
      throw new SqsError(
        'InvalidParameterValue',
        `${kind} attribute '${name}' must contain a non-empty value of type 'Binary'.`,
      );
    }
    if (v.StringValue !== undefined) {
      throw new SqsError(
        'InvalidParameterValue',
        `${kind} attribute '${name}' with type 'Binary' must use field 'Binary'.`,
      );
    }
    return;
  }
  if (v.StringValue === undefined || v.StringValue === '') {
    throw new SqsError(
      'InvalidParameterValue',
      `${kind} attribute '${name}' must contain a non-empty value of type '${base}'.`,
    );
  }
  if (v.BinaryValue !== undefined) {
    throw new SqsError(
      'InvalidParameterValue',
      `${kind} attribute '${name}' with type '${base}' must use field 'String'.`,
    );
  }
  if (base === 'Number' && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v.StringValue)) {
    throw new SqsError(
      'InvalidParameterValue',
      `Can't cast the value of message (user) attribute '${name}' to a number.`,
    );
  }
  assertAllowedCharacters(v.StringValue, `message attribute '${name}'`);
}

/**
 * SQS accepts only XML 1.0 characters: #x9, #xA, #xD, #x20–#xD7FF, #xE000–#xFFFD and
 * #x10000–#x10FFFF. Anything else is `InvalidMessageContents`.
 */
export function assertAllowedCharacters(text: string, where: string): void {
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    const ok =
      c === 0x9 ||
      c === 0xa ||
      c === 0xd ||
      (c >= 0x20 && c <= 0xd7ff) ||
      (c >= 0xe000 && c <= 0xfffd) ||
      (c >= 0x10000 && c <= 0x10ffff);
    if (!ok) {
      throw new SqsError(
        'InvalidMessageContents',
        `Invalid binary character '#x${c.toString(16).toUpperCase()}' was found in the ${where}, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
      );
    }
  }
}
