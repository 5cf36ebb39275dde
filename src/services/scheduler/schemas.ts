import { z } from 'zod';

/** Request shapes of the Scheduler API subset, with the constraints of its service model. */
const NAME = /^[0-9a-zA-Z-_.]+$/;
export const ScheduleName = z.string().min(1).max(64).regex(NAME);
export const GroupName = z.string().min(1).max(64).regex(NAME);

/** Members of Target that select other target types (ECS, EventBridge, Kinesis, SageMaker, SQS). */
export const OTHER_TARGET_PARAMETERS = [
  'EcsParameters',
  'EventBridgeParameters',
  'KinesisParameters',
  'SageMakerPipelineParameters',
  'SqsParameters',
] as const;

const EpochSeconds = z.number();

export const ScheduleBody = z.object({
  ActionAfterCompletion: z.enum(['NONE', 'DELETE']).optional(),
  ClientToken: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-zA-Z0-9-_]+$/)
    .optional(),
  Description: z.string().max(512).optional(),
  EndDate: EpochSeconds.optional(),
  FlexibleTimeWindow: z.object({
    Mode: z.enum(['OFF', 'FLEXIBLE']),
    MaximumWindowInMinutes: z.number().int().min(1).max(1440).optional(),
  }),
  GroupName: GroupName.optional(),
  KmsKeyArn: z
    .string()
    .min(1)
    .max(2048)
    .regex(/^arn:aws(-[a-z]+)?:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[0-9a-zA-Z-_]*$/)
    .optional(),
  ScheduleExpression: z.string().min(1).max(256),
  ScheduleExpressionTimezone: z.string().min(1).max(50).optional(),
  StartDate: EpochSeconds.optional(),
  State: z.enum(['ENABLED', 'DISABLED']).optional(),
  Target: z.looseObject({
    Arn: z.string().min(1).max(1600),
    RoleArn: z
      .string()
      .min(1)
      .max(1600)
      .regex(/^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/),
    Input: z.string().min(1).optional(),
    RetryPolicy: z
      .object({
        MaximumEventAgeInSeconds: z.number().int().min(60).max(86_400).optional(),
        MaximumRetryAttempts: z.number().int().min(0).max(185).optional(),
      })
      .optional(),
    DeadLetterConfig: z
      .object({
        Arn: z
          .string()
          .min(1)
          .max(1600)
          .regex(/^arn:aws(-[a-z]+)?:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9-_]+$/)
          .optional(),
      })
      .optional(),
  }),
});
export type ScheduleBody = z.infer<typeof ScheduleBody>;

export const ListQuery = z.object({
  ScheduleGroup: GroupName.optional(),
  NamePrefix: z.string().min(1).max(64).regex(NAME).optional(),
  State: z.enum(['ENABLED', 'DISABLED']).optional(),
  MaxResults: z.coerce.number().int().min(1).max(100).optional(),
  NextToken: z.string().min(1).max(2048).optional(),
});
