import { z } from 'zod';

import {
  BodyTooLargeError,
  type HttpExchange,
  readRequestBody,
  type Surface,
  sendJson,
} from '../../gateway/exchange.js';
import { RestRouter } from '../../gateway/rest-router.js';
import { SigV4Authenticator } from '../../gateway/sigv4-auth.js';
import type { Logger } from '../../observability/logger.js';
import type { Schedule } from '../../schedules/schedule.js';
import type { ScheduleInput, ScheduleService } from '../../schedules/schedule-service.js';
import { SchedulerError, validation } from '../../schedules/scheduler-errors.js';
import { parseMembers } from '../lambda/validation.js';
import { jsonAuthError } from '../rest-json-surface.js';
import { encodeSchedulerError, internalSchedulerError } from './error-encoding.js';
import { ListQuery, OTHER_TARGET_PARAMETERS, ScheduleBody, ScheduleName } from './schemas.js';

/** The SigV4 signing name of EventBridge Scheduler (botocore `scheduler` metadata). */
export const SCHEDULER_SIGNING_NAME = 'scheduler';
const REQUEST_MAX_BYTES = 1 << 20;

type Handler = (x: HttpExchange, params: Record<string, string>, body: Buffer) => Promise<unknown>;

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

/** GetSchedule's shape: dates as epoch seconds (numbers), the Target as stored. */
export function describeSchedule(s: Schedule): Record<string, unknown> {
  const c = s.config;
  return {
    ActionAfterCompletion: c.ActionAfterCompletion,
    Arn: s.arn,
    CreationDate: seconds(s.createdAt),
    ...(c.Description !== undefined ? { Description: c.Description } : {}),
    ...(c.EndDate !== undefined ? { EndDate: seconds(c.EndDate) } : {}),
    FlexibleTimeWindow: c.FlexibleTimeWindow,
    GroupName: s.group,
    ...(c.KmsKeyArn !== undefined ? { KmsKeyArn: c.KmsKeyArn } : {}),
    LastModificationDate: seconds(s.updatedAt),
    Name: s.name,
    ScheduleExpression: c.ScheduleExpression,
    ScheduleExpressionTimezone: c.ScheduleExpressionTimezone ?? 'UTC',
    ...(c.StartDate !== undefined ? { StartDate: seconds(c.StartDate) } : {}),
    State: c.State,
    Target: c.Target,
  };
}

function summary(s: Schedule): Record<string, unknown> {
  return {
    Arn: s.arn,
    CreationDate: seconds(s.createdAt),
    GroupName: s.group,
    LastModificationDate: seconds(s.updatedAt),
    Name: s.name,
    State: s.config.State,
    Target: { Arn: s.config.Target.Arn },
  };
}

/**
 * The EventBridge Scheduler API (rest-json, `/schedules/...`) on the shared port. Its paths are
 * ones an S3 bucket could have (`/schedules/<key>` in a bucket named `schedules`), so it claims a
 * request only by its SigV4 credential scope: signed for service `scheduler`, as every AWS SDK and
 * CLI signs Scheduler calls. Unsigned requests are never its own.
 */
export class SchedulerSurface implements Surface {
  readonly name = 'scheduler';
  readonly #router = new RestRouter<Handler>();

  constructor(
    private readonly schedules: ScheduleService,
    private readonly auth: SigV4Authenticator,
    private readonly log: Logger,
  ) {
    this.#router
      .add('POST', '/schedules/{Name}', (x, p, body) => this.#create(x, p, body))
      .add('GET', '/schedules/{Name}', async (x, p) => describeSchedule(schedules.get(name(p), group(x))))
      .add('PUT', '/schedules/{Name}', (x, p, body) => this.#update(x, p, body))
      .add('DELETE', '/schedules/{Name}', async (x, p) => {
        schedules.delete(name(p), group(x));
        return {};
      })
      .add('GET', '/schedules', async (x) => this.#list(x));
  }

  matches(x: HttpExchange): boolean {
    return SigV4Authenticator.signedService(x) === SCHEDULER_SIGNING_NAME;
  }

  async handle(x: HttpExchange): Promise<void> {
    try {
      const match = this.#router.match(x.method, x.path);
      if (match === undefined || match === 'method-not-allowed') {
        throw new SchedulerError(
          'UnknownOperationException',
          `Nimbus's Scheduler API has no operation ${x.method} ${x.path} (schedule groups and tags are not supported).`,
        );
      }
      let body: Buffer;
      try {
        body = await readRequestBody(x.req, REQUEST_MAX_BYTES);
      } catch (e) {
        if (e instanceof BodyTooLargeError)
          throw validation(`Request must be smaller than ${REQUEST_MAX_BYTES} bytes.`);
        throw e;
      }
      const verdict = await this.auth.verify(x, body);
      if (!verdict.ok) throw jsonAuthError(verdict.failure, verdict.message);
      sendJson(x, 200, await match.handler(x, match.params, body));
    } catch (e) {
      this.#fail(x, e);
    }
  }

  async #create(x: HttpExchange, p: Record<string, string>, body: Buffer): Promise<unknown> {
    const { input, group: g } = readBody(body);
    const s = await this.schedules.create(name(p), g ?? group(x), input);
    return { ScheduleArn: s.arn };
  }

  async #update(x: HttpExchange, p: Record<string, string>, body: Buffer): Promise<unknown> {
    const { input, group: g } = readBody(body);
    const s = await this.schedules.update(name(p), g ?? group(x), input);
    return { ScheduleArn: s.arn };
  }

  #list(x: HttpExchange): unknown {
    const q = parseMembers(ListQuery, Object.fromEntries(x.query));
    const page = this.schedules.list({
      group: q.ScheduleGroup,
      namePrefix: q.NamePrefix,
      state: q.State,
      maxResults: q.MaxResults,
      nextToken: q.NextToken,
    });
    return {
      Schedules: page.schedules.map(summary),
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  }

  #fail(x: HttpExchange, e: unknown): void {
    let encoded = encodeSchedulerError(e);
    if (!encoded) {
      this.log.error({ err: e, requestId: x.requestId }, 'unexpected error in the Scheduler API');
      encoded = encodeSchedulerError(internalSchedulerError())!;
    }
    if (x.res.headersSent) {
      x.res.destroy();
      return;
    }
    sendJson(x, encoded.status, encoded.body, encoded.headers);
  }
}

const NameMember = z.object({ Name: ScheduleName });

function name(p: Record<string, string>): string {
  return parseMembers(NameMember, { Name: p.Name ?? '' }).Name;
}

/** `groupName` on Get/Delete; CreateSchedule and UpdateSchedule carry `GroupName` in the body. */
function group(x: HttpExchange): string | undefined {
  return x.query.get('groupName') ?? undefined;
}

function readBody(body: Buffer): { input: ScheduleInput; group: string | undefined } {
  let json: unknown;
  try {
    json = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw validation('The request body is not valid JSON.');
  }
  const b = parseMembers(ScheduleBody, json);
  const other = OTHER_TARGET_PARAMETERS.filter((k) => (b.Target as Record<string, unknown>)[k] !== undefined);
  const ms = (s: number | undefined) => (s === undefined ? undefined : Math.round(s * 1000));
  return {
    group: b.GroupName,
    input: {
      Description: b.Description,
      ScheduleExpression: b.ScheduleExpression,
      ScheduleExpressionTimezone: b.ScheduleExpressionTimezone,
      StartDate: ms(b.StartDate),
      EndDate: ms(b.EndDate),
      State: b.State,
      FlexibleTimeWindow: b.FlexibleTimeWindow,
      Target: {
        Arn: b.Target.Arn,
        RoleArn: b.Target.RoleArn,
        Input: b.Target.Input,
        RetryPolicy: b.Target.RetryPolicy,
        DeadLetterConfig: b.Target.DeadLetterConfig,
        other: other.length ? other.join(', ') : undefined,
      },
      ActionAfterCompletion: b.ActionAfterCompletion,
      KmsKeyArn: b.KmsKeyArn,
    },
  };
}
