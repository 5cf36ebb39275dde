import {
  CreateAliasCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionEventInvokeConfigCommand,
  ListFunctionEventInvokeConfigsCommand,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction } from '../support/functions.js';
import { startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
const arn = (name: string, q?: string) =>
  `arn:aws:lambda:us-east-1:000000000000:function:${name}${q ? `:${q}` : ''}`;
const CODE = { 'index.js': 'exports.handler = async () => 1;' };

beforeAll(async () => {
  s = await startTestServer();
  await Promise.all(
    ['configured', 'target', 'other', 'gone-later'].map((n) => createFunction(s.lambda, n, CODE)),
  );
});
afterAll(() => s?.close());

const path = (fn: string, query = '') => `${s.url}/2019-09-25/functions/${fn}/event-invoke-config${query}`;
async function call(method: string, url: string, body?: unknown) {
  const res = await fetch(url, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('x-amzn-errortype'),
    body: text ? JSON.parse(text) : undefined,
  };
}

describe('EventInvokeConfig with the AWS SDK', () => {
  it('puts (replacing), updates (merging), gets, lists and deletes a configuration', async () => {
    const before = Date.now();
    const put = await s.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'configured',
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: 3600,
        DestinationConfig: { OnFailure: { Destination: arn('target') } },
      }),
    );
    expect(put.FunctionArn).toBe(arn('configured', '$LATEST'));
    expect(put.LastModified).toBeInstanceOf(Date);
    expect(put.LastModified!.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(put.MaximumRetryAttempts).toBe(1);
    expect(put.MaximumEventAgeInSeconds).toBe(3600);
    expect(put.DestinationConfig).toEqual({ OnSuccess: {}, OnFailure: { Destination: arn('target') } });

    // Put replaces: what it does not name is gone.
    const replaced = await s.lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: 'configured', MaximumRetryAttempts: 0 }),
    );
    expect(replaced.MaximumEventAgeInSeconds).toBeUndefined();
    expect(replaced.DestinationConfig).toEqual({ OnSuccess: {}, OnFailure: {} });

    // Update merges into what is there.
    const updated = await s.lambda.send(
      new UpdateFunctionEventInvokeConfigCommand({
        FunctionName: 'configured',
        MaximumEventAgeInSeconds: 120,
        DestinationConfig: { OnSuccess: { Destination: arn('other') } },
      }),
    );
    expect(updated).toMatchObject({
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 120,
      DestinationConfig: { OnSuccess: { Destination: arn('other') }, OnFailure: {} },
    });

    const got = await s.lambda.send(
      new GetFunctionEventInvokeConfigCommand({ FunctionName: arn('configured'), Qualifier: '$LATEST' }),
    );
    expect(got).toMatchObject({
      FunctionArn: arn('configured', '$LATEST'),
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 120,
    });
    const listed = await s.lambda.send(
      new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'configured' }),
    );
    expect(listed.FunctionEventInvokeConfigs?.map((c) => c.FunctionArn)).toEqual([
      arn('configured', '$LATEST'),
    ]);
    expect(listed.NextMarker).toBeUndefined();

    await s.lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'configured:$LATEST' }));
    await expect(
      s.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'configured' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: `The function ${arn('configured', '$LATEST')} doesn't have an EventInvokeConfig`,
    });
    const empty = await s.lambda.send(
      new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'configured' }),
    );
    expect(empty.FunctionEventInvokeConfigs).toEqual([]);
  });

  it('answers with LastModified as epoch seconds (a JSON number) on the wire', async () => {
    const r = await call('PUT', path('other'), { MaximumRetryAttempts: 2 });
    expect(r.status).toBe(200);
    expect(typeof r.body.LastModified).toBe('number');
    expect(Math.abs(r.body.LastModified * 1000 - Date.now())).toBeLessThan(60_000);
    expect(r.body).toEqual({
      LastModified: r.body.LastModified,
      FunctionArn: arn('other', '$LATEST'),
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnSuccess: {}, OnFailure: {} },
    });
    const list = await call('GET', `${s.url}/2019-09-25/functions/other/event-invoke-config/list?MaxItems=1`);
    expect(list.body.FunctionEventInvokeConfigs).toHaveLength(1);
  });

  it('drops the configuration with its function', async () => {
    await createFunction(s.lambda, 'short-lived', CODE);
    await s.lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: 'short-lived', MaximumRetryAttempts: 1 }),
    );
    await s.lambda.send(new DeleteFunctionCommand({ FunctionName: 'short-lived' }));
    await createFunction(s.lambda, 'short-lived', CODE);
    await expect(
      s.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'short-lived' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('EventInvokeConfig per qualifier (published versions and aliases)', () => {
  it('keeps one configuration per $LATEST, version and alias, each answered with its qualified ARN', async () => {
    await createFunction(s.lambda, 'per-qualifier', CODE);
    const { Version } = await s.lambda.send(new PublishVersionCommand({ FunctionName: 'per-qualifier' }));
    expect(Version).toBe('1');
    await s.lambda.send(
      new CreateAliasCommand({ FunctionName: 'per-qualifier', Name: 'live', FunctionVersion: '1' }),
    );
    const put = (FunctionName: string, Qualifier: string | undefined, MaximumRetryAttempts: number) =>
      s.lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName,
          ...(Qualifier ? { Qualifier } : {}),
          MaximumRetryAttempts,
        }),
      );
    expect((await put('per-qualifier', undefined, 2)).FunctionArn).toBe(arn('per-qualifier', '$LATEST'));
    expect((await put('per-qualifier', '1', 1)).FunctionArn).toBe(arn('per-qualifier', '1'));
    // The qualifier may come in the query, in the name (`fn:alias`) or in a qualified ARN.
    expect((await put('per-qualifier', 'live', 2)).FunctionArn).toBe(arn('per-qualifier', 'live'));
    expect((await put('per-qualifier:live', undefined, 2)).FunctionArn).toBe(arn('per-qualifier', 'live'));
    const aliasPut = await put(arn('per-qualifier', 'live'), 'live', 0);
    expect(aliasPut).toMatchObject({ FunctionArn: arn('per-qualifier', 'live'), MaximumRetryAttempts: 0 });

    // Update merges into the alias's configuration only.
    const updated = await s.lambda.send(
      new UpdateFunctionEventInvokeConfigCommand({
        FunctionName: 'per-qualifier',
        Qualifier: 'live',
        MaximumEventAgeInSeconds: 300,
        DestinationConfig: { OnFailure: { Destination: arn('target') } },
      }),
    );
    expect(updated).toMatchObject({
      FunctionArn: arn('per-qualifier', 'live'),
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 300,
      DestinationConfig: { OnSuccess: {}, OnFailure: { Destination: arn('target') } },
    });
    const get = (Qualifier?: string) =>
      s.lambda.send(
        new GetFunctionEventInvokeConfigCommand({
          FunctionName: 'per-qualifier',
          ...(Qualifier ? { Qualifier } : {}),
        }),
      );
    expect(await get()).toMatchObject({
      FunctionArn: arn('per-qualifier', '$LATEST'),
      MaximumRetryAttempts: 2,
    });
    expect(await get()).not.toHaveProperty('MaximumEventAgeInSeconds');
    expect(await get('1')).toMatchObject({ FunctionArn: arn('per-qualifier', '1'), MaximumRetryAttempts: 1 });
    expect(await get('live')).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 });

    // List names every qualifier, and pages.
    const listed = await s.lambda.send(
      new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'per-qualifier' }),
    );
    expect(listed.FunctionEventInvokeConfigs?.map((c) => c.FunctionArn)).toEqual([
      arn('per-qualifier', '$LATEST'),
      arn('per-qualifier', '1'),
      arn('per-qualifier', 'live'),
    ]);
    const first = await s.lambda.send(
      new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'per-qualifier', MaxItems: 2 }),
    );
    expect(first.FunctionEventInvokeConfigs).toHaveLength(2);
    const rest = await s.lambda.send(
      new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'per-qualifier', Marker: first.NextMarker }),
    );
    expect(rest.FunctionEventInvokeConfigs?.map((c) => c.FunctionArn)).toEqual([
      arn('per-qualifier', 'live'),
    ]);
    expect(rest.NextMarker).toBeUndefined();

    // Delete is per qualifier too.
    await s.lambda.send(
      new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'per-qualifier', Qualifier: '1' }),
    );
    await expect(get('1')).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: `The function ${arn('per-qualifier', '1')} doesn't have an EventInvokeConfig`,
    });
    expect((await get('live')).MaximumRetryAttempts).toBe(0);
    expect((await get()).MaximumRetryAttempts).toBe(2);
  });

  it('refuses an unknown version or alias, and drops an alias configuration with its alias', async () => {
    await createFunction(s.lambda, 'aliased', CODE);
    await s.lambda.send(new PublishVersionCommand({ FunctionName: 'aliased' }));
    await s.lambda.send(
      new CreateAliasCommand({ FunctionName: 'aliased', Name: 'prod', FunctionVersion: '1' }),
    );
    const doesNotExist = {
      status: 404,
      type: 'ResourceNotFoundException',
      body: { Type: 'User', Message: "The function doesn't exist." },
    };
    expect(await call('PUT', path('aliased', '?Qualifier=2'), { MaximumRetryAttempts: 1 })).toEqual(
      doesNotExist,
    );
    expect(await call('PUT', path('aliased', '?Qualifier=prodx'), { MaximumRetryAttempts: 1 })).toEqual(
      doesNotExist,
    );
    expect(await call('POST', path('aliased:staging'), { MaximumRetryAttempts: 1 })).toEqual(doesNotExist);
    expect(await call('GET', path('aliased', '?Qualifier=staging'))).toEqual({
      status: 404,
      type: 'ResourceNotFoundException',
      body: {
        Type: 'User',
        Message: `The function ${arn('aliased', 'staging')} doesn't have an EventInvokeConfig`,
      },
    });
    expect(
      (await call('GET', `${s.url}/2019-09-25/functions/aliased/event-invoke-config/list`)).body,
    ).toEqual({
      FunctionEventInvokeConfigs: [],
    });

    await s.lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: 'aliased:prod', MaximumRetryAttempts: 1 }),
    );
    await s.lambda.send(new DeleteAliasCommand({ FunctionName: 'aliased', Name: 'prod' }));
    await s.lambda.send(
      new CreateAliasCommand({ FunctionName: 'aliased', Name: 'prod', FunctionVersion: '1' }),
    );
    await expect(
      s.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'aliased:prod' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('EventInvokeConfig bad input gets AWS errors and changes nothing', () => {
  const validation = (value: string, member: string, constraint: string) =>
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`;

  it.each([
    [
      { MaximumRetryAttempts: 3 },
      validation('3', 'maximumRetryAttempts', 'Member must have value less than or equal to 2'),
    ],
    [
      { MaximumRetryAttempts: -1 },
      validation('-1', 'maximumRetryAttempts', 'Member must have value greater than or equal to 0'),
    ],
    [
      { MaximumEventAgeInSeconds: 59 },
      validation('59', 'maximumEventAgeInSeconds', 'Member must have value greater than or equal to 60'),
    ],
    [
      { MaximumEventAgeInSeconds: 21601 },
      validation('21601', 'maximumEventAgeInSeconds', 'Member must have value less than or equal to 21600'),
    ],
    [
      {
        DestinationConfig: {
          OnFailure: { Destination: 'arn:aws:_-/!lambda:us-east-1:000000000000:function:x' },
        },
      },
      validation(
        'arn:aws:_-/!lambda:us-east-1:000000000000:function:x',
        'destinationConfig.onFailure.destination',
        'Member must satisfy regular expression pattern: ^$|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)',
      ),
    ],
  ])('ValidationException for %j', async (body, message) => {
    const r = await call('PUT', path('configured'), body);
    expect(r).toEqual({ status: 400, type: 'ValidationException', body: { Type: 'User', message } });
  });

  it.each([
    [{}, 'You must specify at least one of error handling or destination setting.'],
    [
      { DestinationConfig: { OnSuccess: { Destination: arn('does-not-exist') } } },
      `The destination ARN ${arn('does-not-exist')} is invalid.`,
    ],
    [
      { DestinationConfig: { OnSuccess: { Destination: arn('configured') } } },
      "You can't specify the function as a destination for itself.",
    ],
    [
      {
        DestinationConfig: {
          OnSuccess: { Destination: 'arn:aws:iam:us-east-1:000000000000:function:target' },
        },
      },
      'The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=arn:aws:iam:us-east-1:000000000000:function:target), onFailure=null) is invalid.',
    ],
    [
      {
        DestinationConfig: {
          OnFailure: { Destination: 'arn:aws:lambda:eu-west-1:000000000000:function:target' },
        },
      },
      'The destination ARN arn:aws:lambda:eu-west-1:000000000000:function:target is invalid.',
    ],
  ])('InvalidParameterValueException for %j', async (body, message) => {
    const r = await call('PUT', path('configured'), body);
    expect(r).toEqual({
      status: 400,
      type: 'InvalidParameterValueException',
      body: { Type: 'User', message },
    });
    expect((await call('GET', path('configured'))).status).toBe(404);
  });

  it('refuses destinations of services this server cannot deliver to yet', async () => {
    const r = await call('PUT', path('configured'), {
      DestinationConfig: { OnFailure: { Destination: 'arn:aws:sns:us-east-1:000000000000:topic' } },
    });
    expect(r.status).toBe(400);
    expect(r.type).toBe('InvalidParameterValueException');
    expect(r.body.message).toMatch(
      /^The destination ARN arn:aws:sns:us-east-1:000000000000:topic is invalid\./,
    );
  });

  it('answers unknown functions, qualifiers and configurations with ResourceNotFoundException', async () => {
    const notFound = (message: string) => ({
      status: 404,
      type: 'ResourceNotFoundException',
      body: { Type: 'User', Message: message },
    });
    expect(await call('PUT', path('nope'), { MaximumRetryAttempts: 1 })).toEqual(
      notFound("The function doesn't exist."),
    );
    expect(await call('PUT', path('configured', '?Qualifier=1'), { MaximumRetryAttempts: 1 })).toEqual(
      notFound("The function doesn't exist."),
    );
    expect(await call('POST', path('target'), { MaximumRetryAttempts: 1 })).toEqual(
      notFound(`The function ${arn('target', '$LATEST')} doesn't have an EventInvokeConfig`),
    );
    expect(await call('GET', path('nope'))).toEqual(
      notFound(`The function ${arn('nope', '$LATEST')} doesn't have an EventInvokeConfig`),
    );
    expect(await call('DELETE', path('target', '?Qualifier=prod'))).toEqual(
      notFound(`The function ${arn('target', 'prod')} doesn't have an EventInvokeConfig`),
    );
    expect(await call('GET', `${s.url}/2019-09-25/functions/nope/event-invoke-config/list`)).toEqual(
      notFound("The function doesn't exist."),
    );
  });

  it('refuses unknown members, wrong types and a qualifier mismatch', async () => {
    const unknown = await call('PUT', path('configured'), { MaximumRetryAttempts: 1, Retries: 2 });
    expect(unknown.status).toBe(400);
    expect(unknown.type).toBe('InvalidRequestContentException');
    const wrongType = await call('PUT', path('configured'), { MaximumRetryAttempts: 'two' });
    expect(wrongType.type).toBe('InvalidRequestContentException');
    const mismatch = await call('PUT', path('configured:$LATEST', '?Qualifier=prod'), {
      MaximumRetryAttempts: 1,
    });
    expect(mismatch.body.message).toBe(
      'The derived qualifier from the function name does not match the specified qualifier.',
    );
    const maxItems = await call(
      'GET',
      `${s.url}/2019-09-25/functions/configured/event-invoke-config/list?MaxItems=51`,
    );
    expect(maxItems.type).toBe('ValidationException');
  });

  it('keeps a configured destination checked only when configured: deleting it later is allowed', async () => {
    const ok = await call('PUT', path('target'), {
      DestinationConfig: { OnFailure: { Destination: arn('gone-later') } },
    });
    expect(ok.status).toBe(200);
    await s.lambda.send(new DeleteFunctionCommand({ FunctionName: 'gone-later' }));
    expect((await call('GET', path('target'))).body.DestinationConfig.OnFailure).toEqual({
      Destination: arn('gone-later'),
    });
  });
});
