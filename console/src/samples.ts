/**
 * Sample events per trigger type, in the shapes AWS sends them (the Lambda console's event
 * templates), to test handlers with.
 */
export interface SampleEvent {
  id: string;
  label: string;
  event: unknown;
}

const now = '2026-01-01T12:00:00.000Z';

export const SAMPLE_EVENTS: readonly SampleEvent[] = [
  { id: 'hello-world', label: 'Hello World', event: { key1: 'value1', key2: 'value2', key3: 'value3' } },
  {
    id: 'apigateway-http-api',
    label: 'API Gateway HTTP API (payload 2.0)',
    event: {
      version: '2.0',
      routeKey: 'POST /items',
      rawPath: '/items',
      rawQueryString: 'limit=10',
      cookies: ['session=abc'],
      headers: { 'content-type': 'application/json', host: 'api.example.com', 'user-agent': 'curl/8.5.0' },
      queryStringParameters: { limit: '10' },
      requestContext: {
        accountId: '000000000000',
        apiId: 'api-id',
        domainName: 'api.example.com',
        domainPrefix: 'api',
        http: {
          method: 'POST',
          path: '/items',
          protocol: 'HTTP/1.1',
          sourceIp: '192.0.2.1',
          userAgent: 'curl/8.5.0',
        },
        requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
        routeKey: 'POST /items',
        stage: '$default',
        time: '01/Jan/2026:12:00:00 +0000',
        timeEpoch: 1767268800000,
      },
      body: '{"name":"widget"}',
      isBase64Encoded: false,
    },
  },
  {
    id: 'function-url',
    label: 'Lambda function URL',
    event: {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/',
      rawQueryString: '',
      headers: { host: 'abcdefg.lambda-url.us-east-1.on.aws', 'user-agent': 'curl/8.5.0' },
      requestContext: {
        accountId: 'anonymous',
        apiId: 'abcdefg',
        domainName: 'abcdefg.lambda-url.us-east-1.on.aws',
        domainPrefix: 'abcdefg',
        http: {
          method: 'GET',
          path: '/',
          protocol: 'HTTP/1.1',
          sourceIp: '192.0.2.1',
          userAgent: 'curl/8.5.0',
        },
        requestId: 'f5a4e1a1-1111-4d4b-9a3f-deadbeef0001',
        routeKey: '$default',
        stage: '$default',
        time: '01/Jan/2026:12:00:00 +0000',
        timeEpoch: 1767268800000,
      },
      isBase64Encoded: false,
    },
  },
  {
    id: 's3-put',
    label: 'S3 Put',
    event: {
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: 'us-east-1',
          eventTime: now,
          eventName: 'ObjectCreated:Put',
          userIdentity: { principalId: 'EXAMPLE' },
          requestParameters: { sourceIPAddress: '127.0.0.1' },
          responseElements: {
            'x-amz-request-id': 'EXAMPLE123456789',
            'x-amz-id-2': 'EXAMPLE123/abcdefghijklmno',
          },
          s3: {
            s3SchemaVersion: '1.0',
            configurationId: 'testConfigRule',
            bucket: {
              name: 'example-bucket',
              ownerIdentity: { principalId: 'EXAMPLE' },
              arn: 'arn:aws:s3:::example-bucket',
            },
            object: {
              key: 'test/key',
              size: 1024,
              eTag: '0123456789abcdef0123456789abcdef',
              sequencer: '0A1B2C3D4E5F678901',
            },
          },
        },
      ],
    },
  },
  {
    id: 'sqs',
    label: 'SQS Receive Message',
    event: {
      Records: [
        {
          messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
          receiptHandle: 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a',
          body: 'Test message.',
          attributes: {
            ApproximateReceiveCount: '1',
            SentTimestamp: '1767268800000',
            SenderId: 'AIDAIENQZJOLO23YVJ4VO',
            ApproximateFirstReceiveTimestamp: '1767268800001',
          },
          messageAttributes: {},
          md5OfBody: '098f6bcd4621d373cade4e832627b4f6',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:my-queue',
          awsRegion: 'us-east-1',
        },
      ],
    },
  },
  {
    id: 'eventbridge-schedule',
    label: 'EventBridge Scheduled Event',
    event: {
      version: '0',
      id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: '2026-01-01T12:00:00Z',
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:000000000000:rule/my-schedule'],
      detail: {},
    },
  },
  {
    id: 'dynamodb-update',
    label: 'DynamoDB Update (stream)',
    event: {
      Records: [
        {
          eventID: '1',
          eventVersion: '1.1',
          eventSource: 'aws:dynamodb',
          awsRegion: 'us-east-1',
          eventName: 'INSERT',
          dynamodb: {
            Keys: { Id: { N: '101' } },
            NewImage: { Message: { S: 'New item!' }, Id: { N: '101' } },
            SequenceNumber: '111',
            SizeBytes: 26,
            StreamViewType: 'NEW_AND_OLD_IMAGES',
          },
          eventSourceARN:
            'arn:aws:dynamodb:us-east-1:000000000000:table/ExampleTable/stream/2026-01-01T00:00:00.000',
        },
      ],
    },
  },
];

export const sampleText = (s: SampleEvent) => `${JSON.stringify(s.event, null, 2)}\n`;
