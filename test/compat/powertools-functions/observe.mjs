// Logger, Metrics and Tracer as their docs show them: with Middy middlewares (`handler`) and with
// the plain API (`plain`). Both log at every level, add a metric and report what Tracer sees.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';

const logger = new Logger();
const metrics = new Metrics();
const tracer = new Tracer();

const work = async (event) => {
  logger.debug('looking closely', { step: 1 });
  logger.info('handling an order', { who: event.who });
  logger.warn('stock is low', { item: 'apples' });
  console.log('plain console line');
  metrics.addMetric('OrdersPlaced', MetricUnit.Count, 1);
  tracer.putAnnotation('who', event.who ?? 'nobody');
  return {
    traceRoot: tracer.getRootXrayTraceId() ?? null,
    sampled: tracer.isTraceSampled(),
    tracingEnabled: tracer.isTracingEnabled(),
  };
};

export const handler = middy(work)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));

// Tracer's manual instrumentation, as its docs show it: a subsegment for the handler.
export const plain = async (event, context) => {
  logger.addContext(context);
  metrics.captureColdStartMetric(context.functionName);
  const segment = tracer.getSegment();
  const subsegment = segment?.addNewSubsegment(`## ${process.env._HANDLER}`);
  if (subsegment) tracer.setSegment(subsegment);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  try {
    return await work(event);
  } finally {
    metrics.publishStoredMetrics();
    subsegment?.close();
    if (segment) tracer.setSegment(segment);
  }
};
