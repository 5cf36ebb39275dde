import { z } from 'zod';
import { invalidArgument, S3Error } from '../../domain/s3-errors.js';
import { eventTypeMatches, eventTypesOverlap, isNotificationEventType } from './event-names.js';

/** One `LambdaFunctionConfiguration` of a bucket's notification configuration. */
export const LambdaNotificationSchema = z.object({
  id: z.string(),
  functionArn: z.string(),
  events: z.array(z.string()),
  filter: z.object({ prefix: z.string().optional(), suffix: z.string().optional() }),
});
export type LambdaNotification = z.infer<typeof LambdaNotificationSchema>;

export const NotificationConfigurationSchema = z.object({
  lambdaFunctions: z.array(LambdaNotificationSchema),
});
export type NotificationConfiguration = z.infer<typeof NotificationConfigurationSchema>;

export const EMPTY_CONFIGURATION: NotificationConfiguration = { lambdaFunctions: [] };

/** A configuration as read from the store (unknown JSON), or the empty one. */
export function readConfiguration(stored: unknown): NotificationConfiguration {
  if (stored === undefined || stored === null) return EMPTY_CONFIGURATION;
  return NotificationConfigurationSchema.parse(stored);
}

/** A configuration as the request gave it, before validation. */
export interface NotificationConfigurationInput {
  lambdaFunctions: {
    id?: string;
    functionArn?: string;
    events: string[];
    filterRules: { name: string; value: string }[];
  }[];
  /** Queue, topic and EventBridge configurations: destinations Nimbus does not have. */
  otherDestinations: string[];
}

/**
 * Validates a PutBucketNotificationConfiguration body the way S3 does: known event types, filter
 * rules named prefix or suffix (at most one each), no two configurations that could both match
 * one event, and every destination function reachable. `functionExists` answers for an ARN.
 */
export async function validateConfiguration(
  input: NotificationConfigurationInput,
  functionExists: (arn: string) => Promise<boolean>,
  newId: () => string,
): Promise<NotificationConfiguration> {
  const lambdaFunctions: LambdaNotification[] = [];
  for (const c of input.lambdaFunctions) {
    if (!c.functionArn) throw new S3Error('MalformedXML');
    if (c.events.length === 0) throw new S3Error('MalformedXML');
    for (const e of c.events) {
      if (!isNotificationEventType(e)) {
        throw invalidArgument('The event is not supported for notifications', 'Event', e);
      }
    }
    const filter: { prefix?: string; suffix?: string } = {};
    for (const rule of c.filterRules) {
      const name = rule.name.toLowerCase();
      if (name !== 'prefix' && name !== 'suffix') {
        throw invalidArgument('filter rule name must be either prefix or suffix', 'FilterRule', rule.name);
      }
      if (filter[name] !== undefined) {
        throw invalidArgument(
          'Cannot specify more than one prefix rule in a filter.'.replace('prefix', name),
          'FilterRule',
          rule.name,
        );
      }
      filter[name] = rule.value;
    }
    lambdaFunctions.push({ id: c.id || newId(), functionArn: c.functionArn, events: c.events, filter });
  }
  checkOverlaps(lambdaFunctions);
  const unreachable: string[] = [...input.otherDestinations];
  for (const c of lambdaFunctions) {
    if (!(await functionExists(c.functionArn))) unreachable.push(c.functionArn);
  }
  if (unreachable.length > 0) {
    const fields: Record<string, string> = {};
    unreachable.forEach((arn, i) => {
      fields[`ArgumentName${i + 1}`] = arn;
      fields[`ArgumentValue${i + 1}`] = `Not authorized to invoke function [${arn}]`;
    });
    throw new S3Error(
      'InvalidArgument',
      'Unable to validate the following destination configurations',
      fields,
    );
  }
  return { lambdaFunctions };
}

/**
 * S3 refuses configurations that could send one event twice: same event type (or overlapping
 * wildcards), and prefixes and suffixes that overlap (one starts/ends the other).
 */
function checkOverlaps(configs: readonly LambdaNotification[]): void {
  for (let i = 0; i < configs.length; i++) {
    for (let j = i + 1; j < configs.length; j++) {
      const a = configs[i]!;
      const b = configs[j]!;
      if (!a.events.some((x) => b.events.some((y) => eventTypesOverlap(x, y)))) continue;
      const pa = a.filter.prefix ?? '';
      const pb = b.filter.prefix ?? '';
      const sa = a.filter.suffix ?? '';
      const sb = b.filter.suffix ?? '';
      const prefixes = pa.startsWith(pb) || pb.startsWith(pa);
      const suffixes = sa.endsWith(sb) || sb.endsWith(sa);
      if (prefixes && suffixes) {
        throw invalidArgument(
          'Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type.',
          'Event',
          a.events.find((x) => b.events.some((y) => eventTypesOverlap(x, y))) ?? '',
        );
      }
    }
  }
}

/** The configurations that want this event for this key. */
export function matchingConfigurations(
  config: NotificationConfiguration,
  eventName: string,
  key: string,
): LambdaNotification[] {
  return config.lambdaFunctions.filter(
    (c) =>
      c.events.some((e) => eventTypeMatches(e, eventName)) &&
      key.startsWith(c.filter.prefix ?? '') &&
      key.endsWith(c.filter.suffix ?? ''),
  );
}
