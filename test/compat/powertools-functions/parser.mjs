// Validates the event it receives with Powertools' built-in schemas, as it would on AWS Lambda.
// SCHEMA names the schema; the payload check then extracts what the function would work on with
// Powertools' envelopes and helpers. The verdict is logged as one `VERDICT <json>` line (failures
// carry the zod issues and the event), and HTTP callers get it as the response.
import { parse } from '@aws-lambda-powertools/parser';
import {
  ApiGatewayEnvelope,
  ApiGatewayV2Envelope,
  LambdaFunctionUrlEnvelope,
  SqsEnvelope,
} from '@aws-lambda-powertools/parser/envelopes';
import { JSONStringified } from '@aws-lambda-powertools/parser/helpers';
import {
  APIGatewayProxyEventSchema,
  APIGatewayProxyEventV2Schema,
  EventBridgeSchema,
  LambdaFunctionUrlSchema,
  S3Schema,
  SqsSchema,
} from '@aws-lambda-powertools/parser/schemas';
import { z } from 'zod';

// HTTP and SQS bodies are JSON text: envelopes hand the string on, `JSONStringified` parses it.
const Order = JSONStringified(z.object({ order: z.number().int(), item: z.string() }));

/** What each kind of event carries for the function, extracted the Powertools way. */
const PAYLOADS = {
  APIGatewayProxyEventSchema: (event) => parse(event, ApiGatewayEnvelope, Order, true),
  APIGatewayProxyEventV2Schema: (event) => parse(event, ApiGatewayV2Envelope, Order, true),
  LambdaFunctionUrlSchema: (event) => parse(event, LambdaFunctionUrlEnvelope, Order, true),
  SqsSchema: (event) => parse(event, SqsEnvelope, Order, true),
  // EventBridge Scheduler sends `detail` as the string "{}"; its handlers read it as JSON.
  EventBridgeSchema: (event) =>
    parse(event, undefined, EventBridgeSchema.extend({ detail: JSONStringified(z.object({})) }), true),
  S3Schema: (event) =>
    parse(event, undefined, S3Schema, true).success
      ? {
          success: true,
          data: event.Records.map((r) => decodeURIComponent(r.s3.object.key.replace(/\+/g, ' '))),
        }
      : { success: false },
};

const SCHEMAS = {
  APIGatewayProxyEventSchema,
  APIGatewayProxyEventV2Schema,
  LambdaFunctionUrlSchema,
  SqsSchema,
  EventBridgeSchema,
  S3Schema,
};

const issuesOf = (result) => result.error?.cause ?? String(result.error);

export const handler = async (event, context) => {
  const name = process.env.SCHEMA;
  const full = parse(event, undefined, SCHEMAS[name], true);
  const payload = PAYLOADS[name](event);
  const verdict = {
    schema: name,
    requestId: context.awsRequestId,
    ok: full.success && payload.success,
    ...(full.success ? {} : { issues: issuesOf(full) }),
    ...(payload.success ? { payload: payload.data } : { payloadIssues: issuesOf(payload) }),
    ...(full.success && payload.success ? {} : { event }),
  };
  console.log(`VERDICT ${JSON.stringify(verdict)}`);
  if (event.requestContext?.http || event.httpMethod) {
    return {
      statusCode: verdict.ok ? 200 : 422,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(verdict),
    };
  }
  return verdict;
};
