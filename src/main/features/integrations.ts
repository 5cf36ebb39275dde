import { parseFunctionRef } from '../../domain/arn.js';
import { QueueDestinationSender } from '../../queues/destination-sender.js';
import type { Feature } from '../app.js';

/**
 * Where features meet: the ports one feature defines and another implements, wired once every
 * feature is installed (so their order does not matter).
 * - S3 notifications (and any other `AsyncInvoker` user) deliver through the durable async queue.
 * - The built-in queues become destinations and dead-letter queues of asynchronous invocation.
 * - Reserved concurrency tells the async dispatcher which functions are fully throttled (0).
 */
export const integrations: Feature = (app) => {
  const events = app.eventInvoker;
  if (events) {
    app.asyncInvoker = {
      enqueue: async ({ functionArn, payload }) => ({
        requestId: await events.invokeAsync({ ref: parseFunctionRef(app.scope, functionArn), payload }),
      }),
    };
  }
  if (app.destinations && app.queues) app.destinations.register(new QueueDestinationSender(app.queues));
  app.reservedConcurrency = { reservedFor: (name) => app.concurrency.reservedFor(name) };
};
