import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { malformedXml } from '../../domain/s3-errors.js';

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
});

/** Element values: nested objects, arrays (repeated elements), strings and numbers. */
export type XmlValue = string | number | boolean | XmlObject | XmlValue[] | undefined;
export interface XmlObject {
  [name: string]: XmlValue;
}

/** `<?xml ...?><Root xmlns="...">...</Root>`; undefined members are left out. */
export function toXml(root: string, body: XmlObject, namespace = true): string {
  const content = prune({ ...(namespace ? { '@_xmlns': S3_XMLNS } : {}), ...body });
  return DECLARATION + (builder.build({ [root]: content }) as string);
}

function prune(v: XmlObject): XmlObject {
  const out: XmlObject = {};
  for (const [k, value] of Object.entries(v)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) out[k] = value.map((x) => (isObject(x) ? prune(x) : x));
    else out[k] = isObject(value) ? prune(value) : value;
  }
  return out;
}

function isObject(v: XmlValue): v is XmlObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Elements that may repeat in the request bodies S3 accepts. */
const REPEATED = new Set([
  'Part',
  'Object',
  'LambdaFunctionConfiguration',
  'CloudFunctionConfiguration',
  'QueueConfiguration',
  'TopicConfiguration',
  'Event',
  'FilterRule',
]);

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  // Keys may begin or end with spaces; callers trim the values that are not keys.
  trimValues: false,
  isArray: (name) => REPEATED.has(name),
  processEntities: true,
});

/**
 * Parses a request body; anything that is not well-formed XML with the expected root element is
 * MalformedXML. Returns the root's content (an object, or `''` for an empty element).
 */
export function parseXml(body: Buffer, root: string): Record<string, unknown> {
  const text = body.toString('utf8');
  if (text.trim() === '' || XMLValidator.validate(text) !== true) throw malformedXml();
  const doc = parser.parse(text) as Record<string, unknown>;
  const content = doc[root];
  if (content === undefined) throw malformedXml();
  if (content === '') return {};
  if (typeof content !== 'object' || content === null) throw malformedXml();
  return content as Record<string, unknown>;
}

/** S3 timestamps in XML: `2009-10-12T17:50:30.000Z`. */
export const isoTime = (ms: number) => new Date(ms).toISOString();
