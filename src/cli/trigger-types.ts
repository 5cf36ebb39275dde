import { z } from 'zod';

/** Event source mapping shapes the `nimbus trigger` commands read (loose: newer servers may add members). */
export const EventSourceMapping = z.looseObject({
  UUID: z.string(),
  EventSourceArn: z.string().optional(),
  FunctionArn: z.string(),
  State: z.string(),
  BatchSize: z.number().optional(),
  MaximumBatchingWindowInSeconds: z.number().optional(),
  LastProcessingResult: z.string().optional(),
  StateTransitionReason: z.string().optional(),
});
export type EventSourceMapping = z.infer<typeof EventSourceMapping>;

export const MappingStatus = z.looseObject({
  Lag: z.string().optional(),
  LagCount: z.number().optional(),
  LastError: z.string().optional(),
  LastErrorAt: z.number().optional(),
  LastBatchAt: z.number().optional(),
});

export const MappingWithStatus = EventSourceMapping.extend({ Status: MappingStatus.optional() });
export type MappingWithStatus = z.infer<typeof MappingWithStatus>;

export const MappingStatusList = z.looseObject({ EventSourceMappings: z.array(MappingWithStatus) });
