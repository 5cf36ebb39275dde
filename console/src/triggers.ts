/**
 * The trigger kinds the create flow offers. Each is backed by the API that creates it: function
 * URLs (Lambda `CreateFunctionUrlConfig`), HTTP API routes (API Gateway v2), bucket notifications
 * (S3 `PutBucketNotificationConfiguration`), queues and streams (Lambda `CreateEventSourceMapping`),
 * schedules. A kind is listed here once its API exists on the server; today none does.
 */
export interface TriggerKind {
  id: string;
  label: string;
  description: string;
  /** Wires the trigger once the function is Active; answers a line for the deploy log. */
  create?: (functionName: string, settings: Record<string, string>) => Promise<string>;
}

export const TRIGGERS: readonly TriggerKind[] = [
  {
    id: 'none',
    label: 'No trigger',
    description: 'Invoke it from the test panel, the nimbus CLI, the AWS CLI or an AWS SDK.',
  },
];
