import { escapeXml, XML_NAMESPACE } from './error-encoding.js';

/**
 * The query protocol (`Action=SendMessage&...`, form-encoded, XML answers), what older AWS CLIs
 * and SDKs send. Requests are turned into the JSON protocol's input shape, so both protocols
 * share one implementation of each operation; results are written back as XML.
 */

type Tree = { [key: string]: Tree | string };

/** `A.1.B=x` → `{ A: { 1: { B: 'x' } } }`. */
function toTree(params: URLSearchParams): Tree {
  const root: Tree = {};
  for (const [key, value] of params) {
    const parts = key.split('.');
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts[i]!;
      const next = node[p];
      if (typeof next === 'object') node = next;
      else {
        const fresh: Tree = {};
        node[p] = fresh;
        node = fresh;
      }
    }
    node[parts[parts.length - 1]!] = value;
  }
  return root;
}

/** The members of a flattened list (`X.1`, `X.2`, ...) in index order. */
function list(node: Tree | string | undefined): (Tree | string)[] | undefined {
  if (node === undefined || typeof node === 'string') return undefined;
  return Object.keys(node)
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => node[k]!);
}

/** A flattened map (`X.1.Name=a&X.1.Value=b`) as an object. */
function map(
  node: Tree | string | undefined,
  keyName: string,
  valueName: string,
  value = (v: Tree | string) => v,
) {
  const entries = list(node);
  if (!entries) return undefined;
  const out: Record<string, unknown> = {};
  for (const e of entries) {
    if (typeof e !== 'object') continue;
    const k = e[keyName];
    if (typeof k === 'string' && e[valueName] !== undefined) out[k] = value(e[valueName]!);
  }
  return out;
}

const attributeValue = (v: Tree | string) => {
  if (typeof v === 'string') return v;
  return {
    ...(v.DataType !== undefined ? { DataType: v.DataType } : {}),
    ...(v.StringValue !== undefined ? { StringValue: v.StringValue } : {}),
    ...(v.BinaryValue !== undefined ? { BinaryValue: v.BinaryValue } : {}),
  };
};

function messageFields(t: Tree): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t)) {
    if (typeof v === 'string') out[k] = v;
  }
  const attrs = map(t.MessageAttribute, 'Name', 'Value', attributeValue);
  if (attrs) out.MessageAttributes = attrs;
  const system = map(t.MessageSystemAttribute, 'Name', 'Value', attributeValue);
  if (system) out.MessageSystemAttributes = system;
  return out;
}

const entries = (t: Tree, name: string) =>
  list(t[name])?.map((e) => (typeof e === 'object' ? messageFields(e) : e));

/** The operation's input in the JSON protocol's member names. */
export function queryToInput(action: string, params: URLSearchParams): Record<string, unknown> {
  const t = toTree(params);
  const input = messageFields(t);
  delete input.Action;
  delete input.Version;
  const set = (name: string, v: unknown) => {
    if (v !== undefined) input[name] = v;
  };
  switch (action) {
    case 'CreateQueue':
      set('Attributes', map(t.Attribute, 'Name', 'Value'));
      set('tags', map(t.Tag, 'Key', 'Value'));
      break;
    case 'SetQueueAttributes':
      set('Attributes', map(t.Attribute, 'Name', 'Value'));
      break;
    case 'GetQueueAttributes':
      set('AttributeNames', list(t.AttributeName));
      break;
    case 'ReceiveMessage':
      set('AttributeNames', list(t.AttributeName));
      set('MessageAttributeNames', list(t.MessageAttributeName));
      set('MessageSystemAttributeNames', list(t.MessageSystemAttributeName));
      break;
    case 'SendMessageBatch':
      set('Entries', entries(t, 'SendMessageBatchRequestEntry'));
      break;
    case 'DeleteMessageBatch':
      set('Entries', entries(t, 'DeleteMessageBatchRequestEntry'));
      break;
    case 'ChangeMessageVisibilityBatch':
      set('Entries', entries(t, 'ChangeMessageVisibilityBatchRequestEntry'));
      break;
    case 'TagQueue':
      set('Tags', map(t.Tag, 'Key', 'Value'));
      break;
    case 'UntagQueue':
      set('TagKeys', list(t.TagKey));
      break;
  }
  return input;
}

/** How a list or map member is written in XML (all of SQS's are flattened). */
const LIST_ELEMENTS: Record<string, string> = {
  QueueUrls: 'QueueUrl',
  queueUrls: 'QueueUrl',
  Messages: 'Message',
  Successful: '', // per operation, see BATCH_ENTRY
  Failed: 'BatchResultErrorEntry',
};
const MAP_ELEMENTS: Record<string, { element: string; key: string; value: string }> = {
  Attributes: { element: 'Attribute', key: 'Name', value: 'Value' },
  MessageAttributes: { element: 'MessageAttribute', key: 'Name', value: 'Value' },
  Tags: { element: 'Tag', key: 'Key', value: 'Value' },
};
const BATCH_ENTRY: Record<string, string> = {
  SendMessageBatch: 'SendMessageBatchResultEntry',
  DeleteMessageBatch: 'DeleteMessageBatchResultEntry',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibilityBatchResultEntry',
};

function xmlValue(action: string, name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    const element = name === 'Successful' ? BATCH_ENTRY[action]! : (LIST_ELEMENTS[name] ?? name);
    return value.map((v) => `<${element}>${xmlInner(action, v)}</${element}>`).join('');
  }
  const m = MAP_ELEMENTS[name];
  if (m && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(
        ([k, v]) =>
          `<${m.element}><${m.key}>${escapeXml(k)}</${m.key}><${m.value}>${xmlInner(action, v)}</${m.value}></${m.element}>`,
      )
      .join('');
  }
  return `<${name}>${xmlInner(action, value)}</${name}>`;
}

function xmlInner(action: string, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => xmlValue(action, k, v))
      .join('');
  }
  return escapeXml(String(value));
}

/** `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…</ResponseMetadata></ActionResponse>`. */
export function resultToXml(
  action: string,
  result: Record<string, unknown> | undefined,
  requestId: string,
): string {
  // Operations with an output always carry their (possibly empty) result element: botocore
  // looks it up by name.
  const body = result === undefined ? '' : `<${action}Result>${xmlInner(action, result)}</${action}Result>`;
  return (
    `<?xml version="1.0"?><${action}Response xmlns="${XML_NAMESPACE}">${body}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}
