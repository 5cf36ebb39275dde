import { createHash } from 'node:crypto';

/**
 * What a Lambda target of EventBridge Scheduler receives when the schedule has no `Input`: the
 * EventBridge envelope (lambda-reference §7.6) with `source: "aws.scheduler"`, the schedule's ARN
 * in `resources`, and `detail` as the string `"{}"`, not an object: the Scheduler's own quirk,
 * which handlers written for it already cope with (aws-powertools-lambda-python #6134,
 * cloud-custodian #9566). With `Input`, the function receives the Input verbatim.
 */
export interface ScheduledEvent {
  version: '0';
  id: string;
  'detail-type': 'Scheduled Event';
  source: 'aws.scheduler';
  account: string;
  time: string;
  region: string;
  resources: [string];
  detail: '{}';
}

export function scheduledEvent(o: {
  id: string;
  slot: number;
  scheduleArn: string;
  region: string;
  accountId: string;
}): ScheduledEvent {
  return {
    version: '0',
    id: o.id,
    'detail-type': 'Scheduled Event',
    source: 'aws.scheduler',
    account: o.accountId,
    // The slot the event is for, to the second, as EventBridge writes `time`.
    time: new Date(Math.floor(o.slot / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    region: o.region,
    resources: [o.scheduleArn],
    detail: '{}',
  };
}

/**
 * A UUID-shaped id that is the same every time one slot of one schedule is fired: handing a slot
 * to the async queue twice (after a crash) then queues it once. The schedule's creation time is
 * part of it, so a schedule deleted and created again under the same name starts afresh.
 */
export function slotId(
  purpose: 'request' | 'event',
  scheduleArn: string,
  createdAt: number,
  slot: number,
): string {
  const h = createHash('sha256').update(`${purpose}\n${scheduleArn}\n${createdAt}\n${slot}`).digest('hex');
  const variant = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A number in [0, 1) fixed per schedule and slot: where a FLEXIBLE window puts the firing. */
export function slotFraction(scheduleArn: string, slot: number): number {
  const h = createHash('sha256').update(`flex\n${scheduleArn}\n${slot}`).digest();
  return h.readUInt32BE(0) / 2 ** 32;
}
