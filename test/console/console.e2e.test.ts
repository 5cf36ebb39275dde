import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvokeCommand,
  PublishVersionCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startTestServer, TEST_CREDENTIALS, TEST_ROLE, type TestServer } from '../support/server.js';
import { makeZip } from '../support/zip.js';
import { type Browser, CHROMIUM, openBrowser, setEditor, shot } from './browser.js';

const HANDLER = `export const handler = async (event, context) => {
  console.log('greeting', event.name);
  if (event.fail) throw new RangeError('asked to fail');
  return { greeting: process.env.GREETING + ' ' + event.name, memory: context.memoryLimitInMB };
};
`;

let s: TestServer;
let b: Browser;
let pg: TestPostgres | undefined;

describe.skipIf(!CHROMIUM)('console in headless Chromium', () => {
  beforeAll(async () => {
    s = await startTestServer();
    b = await openBrowser();
  });
  afterAll(async () => {
    await b?.close();
    await s?.close();
    await pg?.close();
  });
  // A failed step leaves a picture of the page it failed on.
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && b) {
      await shot(b.page, `failed-${ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`).catch(
        () => undefined,
      );
    }
  });

  it('creates a function in five steps from the editor, with inline API errors', async () => {
    const { page } = b;
    await page.goto(`${s.url}/`);
    await page.waitForURL(/\/console\/$/);
    await page.getByText('No functions yet').waitFor();
    await page.getByTestId('create-function').click();
    await page.waitForURL(/\/console\/create$/);
    // The editor starts from the runtime's template.
    await page.locator('[data-testid="editor-code"] .cm-content').getByText('Hello from Nimbus!').waitFor();
    await expect(page.locator('select[name="runtime"]').inputValue()).resolves.toBe('nodejs24.x');

    // Bad input: the API's own validation message, next to the field it names.
    await page.fill('input[name="functionName"]', 'not a valid name!');
    await page.getByRole('button', { name: 'Deploy' }).click();
    const nameError = page.locator('section', { hasText: 'Function name' }).getByTestId('field-error');
    await expect(nameError.textContent()).resolves.toMatch(
      /Value 'not a valid name!' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern/,
    );
    await page.fill('input[name="functionName"]', 'hello-console');
    await page.fill('input[name="memorySize"]', '99999');
    await page.getByRole('button', { name: 'Deploy' }).click();
    const memoryError = page.locator('label', { hasText: 'Memory (MB)' }).getByTestId('field-error');
    await expect(memoryError.textContent()).resolves.toMatch(/at 'memorySize'.*less than or equal to 10240/);

    await page.fill('input[name="memorySize"]', '256');
    await setEditor(page, 'editor-code', HANDLER);
    await page.getByRole('button', { name: 'Add variable' }).click();
    await page.fill('input[aria-label="Variable 1 name"]', 'GREETING');
    await page.fill('input[aria-label="Variable 1 value"]', 'hi');
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.getByTestId('deployed').waitFor();
    await expect(page.getByTestId('deploy-progress').textContent()).resolves.toMatch(
      /done.*Wait until it is Active/,
    );
    await shot(page, 'create-function');

    const out = await s.lambda.send(
      new InvokeCommand({ FunctionName: 'hello-console', Payload: Buffer.from('{"name":"sdk"}') }),
    );
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual({ greeting: 'hi sdk', memory: '256' });
    await page.getByRole('link', { name: /Open it and run a test/ }).click();
    await page.waitForURL(/functions\/hello-console\?tab=test$/);
    await page.getByTestId('function-state').getByText('Active').waitFor();
  });

  it('creates a function from an uploaded zip', async () => {
    const { page } = b;
    await page.getByRole('link', { name: 'Create function', exact: true }).click();
    await page.fill('input[name="functionName"]', 'from-zip');
    await page.getByLabel('Upload a .zip').check();
    await page.getByRole('button', { name: 'Deploy' }).click();
    await expect(page.getByTestId('field-error').first().textContent()).resolves.toBe(
      'Choose a .zip file to upload.',
    );
    const zip = await makeZip({ 'app.js': 'exports.run = async () => "zipped";' });
    await page
      .locator('input[name="zip"]')
      .setInputFiles({ name: 'fn.zip', mimeType: 'application/zip', buffer: zip });
    await page.fill('input[name="handler"]', 'app.run');
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.getByTestId('deployed').getByText('from-zip').waitFor();
    const c = await s.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'from-zip' }));
    expect(c).toMatchObject({ Handler: 'app.run', State: 'Active', Runtime: 'nodejs24.x' });
    await page.goto(`${s.url}/console/functions/hello-console?tab=test`);
  });

  it('saves a test event server-side, invokes it and shows the result, log tail and REPORT', async () => {
    const { page } = b;
    await page.waitForURL(/functions\/hello-console\?tab=test$/);
    await setEditor(page, 'editor-event', '{"name": "console"}');
    await page.fill('input[name="eventName"]', 'greet');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByTestId('save-note').textContent()).resolves.toBe('Saved greet.');

    await page.getByRole('button', { name: 'Invoke' }).click();
    const result = page.getByTestId('invoke-result');
    await result.getByText('Succeeded').waitFor();
    await expect(page.getByTestId('response').textContent()).resolves.toContain('"greeting": "hi console"');
    const tail = (await page.getByTestId('log-tail').textContent()) ?? '';
    expect(tail).toMatch(/^START RequestId: \S+ Version: \$LATEST$/m);
    expect(tail).toMatch(/\tINFO\tgreeting console$/m);
    expect(tail).toMatch(/^REPORT RequestId: /m);
    await expect(page.getByTestId('report').textContent()).resolves.toMatch(
      /Billed duration\d+ ms.*\/ 256 MB/,
    );
    await shot(page, 'test-panel');

    // Saved on the server: a fresh page load lists it and loads its text.
    await page.reload();
    await page.getByTestId('saved-events').selectOption('greet');
    await page.locator('[data-testid="editor-event"] .cm-content').getByText('"console"').waitFor();

    // Bad input: the event must be JSON.
    await setEditor(page, 'editor-event', '{"name": ');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByTestId('field-error').textContent()).resolves.toMatch(
      /^The test event is not valid JSON/,
    );
    // Invoking it gets Lambda's own refusal, shown as such.
    await page.getByRole('button', { name: 'Invoke' }).click();
    await expect(page.getByTestId('error').textContent()).resolves.toMatch(/InvalidRequestContentException/);

    // A function error is a result, not an error page.
    await setEditor(page, 'editor-event', '{"name": "x", "fail": true}');
    await page.getByRole('button', { name: 'Invoke' }).click();
    await result.getByText('Failed (Unhandled)').waitFor();
    await expect(page.getByTestId('response').textContent()).resolves.toContain('"errorType": "RangeError"');
  });

  it('shows the logs, queryable by text and request id, and the recent invocations', async () => {
    const { page } = b;
    await page.getByTestId('tab-logs').click();
    const logs = page.getByTestId('log-events');
    await logs.getByText('greeting console').waitFor();
    await logs
      .getByText(/^REPORT RequestId/)
      .first()
      .waitFor();
    await shot(page, 'logs');
    await page.fill('input[name="text"]', 'asked to fail');
    await page.getByRole('button', { name: 'Search' }).click();
    await logs
      .getByText(/RangeError/)
      .first()
      .waitFor();
    await expect.poll(() => logs.getByText('greeting console').count()).toBe(0);

    // Follow: a new invocation's lines appear without searching again.
    await page.fill('input[name="text"]', '');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('follow').check();
    await s.lambda.send(
      new InvokeCommand({ FunctionName: 'hello-console', Payload: Buffer.from('{"name":"followed"}') }),
    );
    await logs.getByText('greeting followed').waitFor();
    await page.getByTestId('follow').uncheck();

    await page.getByTestId('tab-invocations').click();
    const rows = page.getByTestId('invocations').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(4);
    await expect(rows.first().textContent()).resolves.toMatch(/success/);
    await expect(page.getByTestId('invocations').textContent()).resolves.toMatch(/error \(RangeError\)/);
    await shot(page, 'invocations');

    // A request id links to its log lines only.
    await rows.first().getByRole('link').click();
    await logs.getByText('greeting followed').waitFor();
    await expect.poll(() => logs.getByText('greeting console').count()).toBe(0);
  });

  it('charts invocations, errors and durations', async () => {
    const { page } = b;
    await page.getByTestId('tab-monitor').click();
    const chart = page.getByTestId('chart-Invocations');
    await chart.waitFor();
    // Four invocations so far, drawn as bars with a hover title each.
    await expect
      .poll(async () => (await chart.locator('rect title').allTextContents()).join(' '))
      .toMatch(/invocations: [1-4]/);
    await expect(page.getByTestId('chart-Errors and throttles').textContent()).resolves.toMatch(
      /errors \(1\)/,
    );
    await page.getByTestId('chart-Duration').locator('circle').first().waitFor();
    await shot(page, 'monitor');
  });

  it('edits the configuration and the code, with the API errors inline', async () => {
    const { page } = b;
    await page.getByTestId('tab-configuration').click();
    await page.fill('input[name="timeout"]', '901');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const timeoutError = page.locator('label', { hasText: 'Timeout (seconds)' }).getByTestId('field-error');
    await expect(timeoutError.textContent()).resolves.toMatch(
      /Value '901' at 'timeout'.*less than or equal to 900/,
    );
    await page.fill('input[name="timeout"]', '7');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved.').waitFor();
    await expect.poll(() => page.getByTestId('function-state').locator('..').textContent()).toContain('7 s');

    await page.getByTestId('tab-code').click();
    const editor = page.locator('[data-testid="editor-code"] .cm-content');
    await editor.getByText("console.log('greeting'").waitFor();
    await shot(page, 'code');
    await setEditor(page, 'editor-code', HANDLER.replace("+ ' ' +", "+ ', ' +"));
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.getByText('Deployed.').waitFor();
    const out = await s.lambda.send(
      new InvokeCommand({ FunctionName: 'hello-console', Payload: Buffer.from('{"name":"again"}') }),
    );
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toMatchObject({ greeting: 'hi, again' });
  });

  it('shows usage for the invocations just made, and pages long lists', async () => {
    const { page } = b;
    await page.getByRole('link', { name: 'Usage', exact: true }).click();
    await page.waitForURL(/\/console\/usage$/);
    await expect.poll(() => page.getByTestId('total-requests').textContent()).toBe('5');
    const row = page.getByTestId('usage').locator('tbody tr', { hasText: 'hello-console' });
    await expect(row.textContent()).resolves.toMatch(/hello-console5/);
    await expect(page.getByTestId('total-cost').textContent()).resolves.toMatch(/^\$\d/);
    await shot(page, 'usage');

    const zip = await makeZip({ 'index.js': 'exports.handler = async () => 1;' });
    for (let i = 0; i < 21; i++) {
      await s.lambda.send(
        new CreateFunctionCommand({
          FunctionName: `bulk-${String(i).padStart(2, '0')}`,
          Runtime: 'nodejs20.x',
          Handler: 'index.handler',
          Role: TEST_ROLE,
          Code: { ZipFile: zip },
        }),
      );
    }
    await page.getByRole('link', { name: 'Functions', exact: true }).click();
    const names = page.getByTestId('functions').locator('tbody tr td:first-child');
    await expect.poll(() => names.count()).toBe(20);
    await shot(page, 'overview');
    await page.getByRole('button', { name: 'Next →' }).click();
    await expect.poll(() => names.allTextContents()).toEqual(['bulk-20', 'from-zip', 'hello-console']);
    await expect(page.getByRole('button', { name: 'Next →' }).isDisabled()).resolves.toBe(true);
  });

  it("says so on a deleted function's page", async () => {
    const { page } = b;
    await page.getByRole('link', { name: 'hello-console' }).click();
    await page.getByTestId('function-state').waitFor();
    await s.lambda.send(new DeleteFunctionCommand({ FunctionName: 'hello-console' }));
    await page.reload();
    await page.getByTestId('function-missing').getByText('This function does not exist.').waitFor();
    await shot(page, 'deleted-function');
  });

  it('creates an HTTP function from the editor in five steps and calls its URL', async () => {
    const { page } = b;
    await page.getByRole('link', { name: 'Create function', exact: true }).click();
    await page.fill('input[name="functionName"]', 'http-hello');
    await page.locator('[data-testid="editor-code"] .cm-content').getByText('Hello from Nimbus!').waitFor();
    await page.getByLabel('Function URL').check();
    const fields = page.getByTestId('trigger-fields-url');
    await expect(fields.locator('select[name="authType"]').inputValue()).resolves.toBe('NONE');
    await page.getByRole('button', { name: 'Deploy' }).click();
    const deployed = page.getByTestId('deployed');
    await deployed.getByText('http-hello').waitFor();
    await expect(page.getByTestId('deploy-progress').textContent()).resolves.toMatch(
      /done Set up the trigger — Function URL http:\/\/[a-z0-9]{32}\.lambda-url\.us-east-1\.localhost:\d+\/ \(NONE\)/,
    );
    await deployed.getByRole('button', { name: 'Call it' }).click();
    const answer = deployed.getByTestId('call-result');
    await answer.getByText('HTTP 200').waitFor();
    await expect(answer.locator('pre').textContent()).resolves.toMatch(/"message":"Hello from Nimbus!"/);
    await shot(page, 'create-http-function');

    // The URL itself, by host name, as any browser calls it.
    const url = (await deployed.getByTestId('trigger-url').textContent()) ?? '';
    const other = await page.context().newPage();
    try {
      const res = await other.goto(`${url}from-the-browser?x=1`);
      expect(res?.status()).toBe(200);
      await expect(other.locator('body').textContent()).resolves.toContain('Hello from Nimbus!');
    } finally {
      await other.close();
    }
  });

  it('deploys a Python function behind an HTTP API route, the route key checked by the API', async () => {
    const { page } = b;
    await page.getByRole('link', { name: 'Create function', exact: true }).click();
    await page.fill('input[name="functionName"]', 'py-route');
    // The runtimes come from the server: wait for the list, not for the empty select before it.
    await page.locator('select[name="runtime"] option[value="python3.13"]').waitFor({ state: 'attached' });
    const runtimes = await page.locator('select[name="runtime"] option').allTextContents();
    expect(runtimes).toEqual(expect.arrayContaining(['python3.13', 'provided.al2023', 'nodejs22.x']));
    await page.locator('select[name="runtime"]').selectOption('python3.13');
    await page.locator('[data-testid="editor-code"] .cm-content').getByText('def lambda_handler').waitFor();
    await expect(page.locator('input[name="handler"]').inputValue()).resolves.toBe(
      'lambda_function.lambda_handler',
    );
    await page.getByLabel('HTTP API route').check();
    await page.fill('input[name="routeKey"]', 'GET users');
    await page.getByRole('button', { name: 'Deploy' }).click();
    // The function is deployed; the API refused the route key, shown at its field.
    const routeError = page.getByTestId('trigger-fields-route').getByTestId('field-error');
    await expect(routeError.textContent()).resolves.toMatch(/route key/i);
    await expect(page.getByTestId('deploy-progress').textContent()).resolves.toMatch(
      /done Wait until it is Active.*failed Set up the trigger/,
    );
    await page.fill('input[name="routeKey"]', 'GET /py/{id}');
    await page.getByRole('button', { name: 'Deploy' }).click();
    const deployed = page.getByTestId('deployed');
    await deployed.getByText('py-route').waitFor();
    await expect(page.getByTestId('deploy-progress').textContent()).resolves.toMatch(
      /already deployed.*Route GET \/py\/\{id\} of new HTTP API py-route/,
    );
    await deployed.getByRole('button', { name: 'Call it' }).click();
    await deployed.getByTestId('call-result').getByText('HTTP 200').waitFor();
    await expect(deployed.getByTestId('call-result').locator('pre').textContent()).resolves.toContain(
      '"message": "Hello from Nimbus!"',
    );
  });

  it('adds a trigger of each kind from the Triggers tab and lists them with state and last result', async () => {
    const { page } = b;
    await page.goto(`${s.url}/console/functions/py-route?tab=triggers`);
    const list = page.getByTestId('triggers');
    await list.getByText('GET /py/{id} on py-route').waitFor();
    await expect(list.textContent()).resolves.toMatch(/HTTP API route.*payload 2\.0/);

    await page.goto(`${s.url}/console/functions/http-hello?tab=triggers`);
    await list.getByText('Function URL').waitFor();
    const add = page.getByTestId('add-trigger');
    const added = page.getByTestId('trigger-added');

    // An HTTP API route on the API made above.
    await add.getByLabel('HTTP API route').check();
    await add.locator('select[name="apiId"] option', { hasText: 'py-route' }).waitFor({ state: 'attached' });
    const apiId = await add
      .locator('select[name="apiId"] option', { hasText: 'py-route' })
      .getAttribute('value');
    await add.locator('select[name="apiId"]').selectOption(apiId!);
    await page.fill('input[name="routeKey"]', 'ANY /hello/{proxy+}');
    await add.getByRole('button', { name: 'Add trigger' }).click();
    await expect(added.textContent()).resolves.toMatch(/Route ANY \/hello\/\{proxy\+\} of HTTP API py-route/);

    // A bucket (created on the way), with a prefix.
    await add.getByLabel('Bucket upload').check();
    await page.fill('input[name="bucket"]', 'Not_A_Bucket');
    await add.getByRole('button', { name: 'Add trigger' }).click();
    const bucketError = add
      .getByTestId('trigger-fields-bucket')
      .locator('label', { hasText: 'Bucket' })
      .first()
      .getByTestId('field-error');
    await expect(bucketError.textContent()).resolves.toBe('The specified bucket is not valid.');
    await page.fill('input[name="bucket"]', 'uploads');
    await page.fill('input[name="prefix"]', 'in/');
    await add.getByRole('button', { name: 'Add trigger' }).click();
    await expect(added.textContent()).resolves.toBe(
      'http-hello runs on s3:ObjectCreated:* in uploads under in/',
    );

    // A queue (created on the way); the batch size is checked by Lambda's own validation.
    await add.getByRole('radio', { name: /^Queue Runs/ }).check();
    await page.fill('input[name="queue"]', 'jobs');
    await page.fill('input[name="batchSize"]', '20000');
    await add.getByRole('button', { name: 'Add trigger' }).click();
    const batchError = add
      .getByTestId('trigger-fields-queue')
      .locator('label', { hasText: 'Batch size' })
      .getByTestId('field-error');
    await expect(batchError.textContent()).resolves.toMatch(/at 'batchSize'.*less than or equal to 10000/);
    await page.fill('input[name="batchSize"]', '5');
    await page.getByLabel('Report batch item failures').check();
    await add.getByRole('button', { name: 'Add trigger' }).click();
    await expect(added.textContent()).resolves.toMatch(/^Queue jobs: mapping [0-9a-f-]{36} \(Creating\)$/);

    // A database table, when PostgreSQL is here (CI installs it).
    pg = await startPostgres();
    if (pg) {
      await pg.query('CREATE TABLE public.orders (id int PRIMARY KEY, item text)');
      await add.getByLabel('Database table').check();
      await page.fill('input[name="postgresUrl"]', pg.url);
      await page.fill('input[name="table"]', 'public.ghosts');
      await add.getByRole('button', { name: 'Add trigger' }).click();
      const tableError = add
        .getByTestId('trigger-fields-database')
        .locator('label', { hasText: 'Tables' })
        .getByTestId('field-error');
      await expect(tableError.textContent()).resolves.toMatch(/Table public\.ghosts does not exist/);
      await page.fill('input[name="table"]', 'public.orders');
      await add.getByRole('button', { name: 'Add trigger' }).click();
      await expect(added.textContent()).resolves.toMatch(
        /^Table db\/postgres\/table\/public\.orders: mapping/,
      );
    }

    // Every kind listed; the queue's mapping reports its last batch once a message ran the function.
    const sqs = new SQSClient({ endpoint: s.url, region: 'us-east-1', credentials: TEST_CREDENTIALS });
    const s3 = new S3Client({
      endpoint: s.url,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      forcePathStyle: true,
    });
    try {
      await sqs.send(
        new SendMessageCommand({ QueueUrl: `${s.url}/000000000000/jobs`, MessageBody: '{"job":1}' }),
      );
      await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'in/a.txt', Body: 'a' }));
    } finally {
      sqs.destroy();
      s3.destroy();
    }
    const row = (text: string) => list.locator('tbody tr', { hasText: text });
    await expect.poll(() => row('jobs').textContent(), { timeout: 15_000 }).toMatch(/Enabled.*OK/);
    await expect(row('jobs').textContent()).resolves.toMatch(/batch 5.*ReportBatchItemFailures/);
    await expect(row('uploads').textContent()).resolves.toMatch(
      /Bucket upload.*s3:ObjectCreated:\*.*prefix in\//,
    );
    await expect(row('ANY /hello/{proxy+}').textContent()).resolves.toMatch(/HTTP API route/);
    if (pg)
      await expect
        .poll(() => row('public.orders').textContent(), { timeout: 15_000 })
        .toMatch(/Database table.*Enabled/);
    await shot(page, 'triggers');

    // The route just added answers through the console's own call button.
    await row('ANY /hello/{proxy+}').getByRole('button', { name: 'Call it' }).click();
    await row('ANY /hello/{proxy+}').getByTestId('call-result').getByText('HTTP 200').waitFor();

    // The S3 upload and the queue message ran the function.
    await page.getByTestId('tab-invocations').click();
    await expect
      .poll(() => page.getByTestId('invocations').locator('tbody tr').count())
      .toBeGreaterThanOrEqual(4);

    // Removing one takes it off the list.
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('tab-triggers').click();
    await row('uploads').getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => row('uploads').count()).toBe(0);
  });

  it('creates a function on a schedule in the five-step flow, and lists, adds and removes schedules', async () => {
    const { page } = b;
    await page.goto(`${s.url}/console/create`);
    await page.fill('input[name="functionName"]', 'ticker');
    await page.locator('[data-testid="editor-code"] .cm-content').getByText('Hello from Nimbus!').waitFor();
    await page.getByRole('radio', { name: /^Schedule Runs/ }).check();
    const fields = page.getByTestId('trigger-fields-schedule');
    await expect(fields.locator('input[name="scheduleExpression"]').inputValue()).resolves.toBe(
      'rate(5 minutes)',
    );
    await expect(fields.locator('input[name="scheduleExpressionTimezone"]').inputValue()).resolves.toBe(
      'UTC',
    );

    // Bad input: the Scheduler API's own messages, at the field each is about.
    await page.fill('input[name="scheduleExpression"]', 'rate(5 minute)');
    await page.getByRole('button', { name: 'Deploy' }).click();
    const expressionError = fields.locator('label', { hasText: 'Expression' }).getByTestId('field-error');
    await expect(expressionError.textContent()).resolves.toBe('Invalid Schedule Expression rate(5 minute).');
    await expect(page.getByTestId('deploy-progress').textContent()).resolves.toMatch(
      /done Wait until it is Active.*failed Set up the trigger/,
    );
    await page.fill('input[name="scheduleExpression"]', 'cron(0 9 ? * MON-FRI *)');
    await page.fill('input[name="scheduleExpressionTimezone"]', 'Mars/Olympus_Mons');
    await page.getByRole('button', { name: 'Deploy' }).click();
    const zoneError = fields.locator('label', { hasText: 'Time zone' }).getByTestId('field-error');
    await expect(zoneError.textContent()).resolves.toMatch(
      /^Invalid ScheduleExpressionTimezone Mars\/Olympus_Mons: not an IANA time zone name/,
    );
    await page.fill('input[name="scheduleExpressionTimezone"]', 'Europe/Paris');
    await page.fill('input[name="name"]', 'weekdays-9am');
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.getByTestId('deployed').getByText('ticker').waitFor();
    await expect(page.getByTestId('deploy-progress').textContent()).resolves.toMatch(
      /already deployed.*Schedule weekdays-9am: ticker runs on cron\(0 9 \? \* MON-FRI \*\) \(Europe\/Paris\)/,
    );

    // The schedule as the Scheduler API (through its own AWS client) has it.
    const scheduler = new SchedulerClient({
      endpoint: s.url,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
    });
    try {
      await expect(scheduler.send(new GetScheduleCommand({ Name: 'weekdays-9am' }))).resolves.toMatchObject({
        ScheduleExpression: 'cron(0 9 ? * MON-FRI *)',
        ScheduleExpressionTimezone: 'Europe/Paris',
        State: 'ENABLED',
        Target: { Arn: 'arn:aws:lambda:us-east-1:000000000000:function:ticker' },
      });

      // Listed among the function's triggers, with its state and next firing.
      await page.goto(`${s.url}/console/functions/ticker?tab=triggers`);
      const list = page.getByTestId('triggers');
      const row = (text: string) => list.locator('tbody tr', { hasText: text });
      await expect(row('weekdays-9am').textContent()).resolves.toMatch(
        /^Schedulecron\(0 9 \? \* MON-FRI \*\) Europe\/Parisschedule weekdays-9am · next 20\d\d-\d\d-\d\dT0[78]:00:00ZEnabled/,
      );

      // Another one from the tab: a name already taken is refused at its field; no name picks one.
      const add = page.getByTestId('add-trigger');
      const added = page.getByTestId('trigger-added');
      await add.getByRole('radio', { name: /^Schedule Runs/ }).check();
      await page.fill('input[name="scheduleExpression"]', 'rate(1 minute)');
      await page.fill('input[name="name"]', 'weekdays-9am');
      await add.locator('select[name="state"]').selectOption('DISABLED');
      await add.getByRole('button', { name: 'Add trigger' }).click();
      await expect(
        add.locator('label', { hasText: 'Schedule name' }).getByTestId('field-error').textContent(),
      ).resolves.toBe('Schedule weekdays-9am already exists.');
      await page.fill('input[name="name"]', '');
      await page.fill('input[name="input"]', '{not json');
      await add.getByRole('button', { name: 'Add trigger' }).click();
      await expect(
        add.locator('label', { hasText: 'Event (JSON)' }).getByTestId('field-error').textContent(),
      ).resolves.toBe('Target.Input must be well-formed JSON for a Lambda function target.');
      await page.fill('input[name="input"]', '');
      await add.getByRole('button', { name: 'Add trigger' }).click();
      await expect(added.textContent()).resolves.toBe('Schedule ticker: ticker runs on rate(1 minute)');
      await expect(row('rate(1 minute)').textContent()).resolves.toMatch(/schedule ticker.*Disabled/);
      await expect(scheduler.send(new GetScheduleCommand({ Name: 'ticker' }))).resolves.toMatchObject({
        ScheduleExpression: 'rate(1 minute)',
        State: 'DISABLED',
      });
      await shot(page, 'schedule-triggers');

      // Removing one deletes the schedule.
      page.once('dialog', (d) => void d.accept());
      await row('weekdays-9am').getByRole('button', { name: 'Remove' }).click();
      await expect.poll(() => row('weekdays-9am').count()).toBe(0);
      await expect(scheduler.send(new GetScheduleCommand({ Name: 'weekdays-9am' }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
      await expect(row('rate(1 minute)').count()).resolves.toBe(1);
    } finally {
      scheduler.destroy();
    }
  });

  it('shows an async failure with its attempts and last error, and replays it', async () => {
    const { page } = b;
    await s.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'flaky',
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Role: TEST_ROLE,
        Environment: { Variables: { BROKEN: '1' } },
        Code: {
          ZipFile: await makeZip({
            'index.js':
              'exports.handler = async (e) => { if (process.env.BROKEN) throw new Error("broken for " + e.n); return "done " + e.n; };',
          }),
        },
      }),
    );
    await page.goto(`${s.url}/console/functions/flaky?tab=configuration`);
    const asyncForm = page.getByTestId('event-invoke-config');
    await asyncForm.getByText('Not configured').waitFor();
    await page.fill('input[name="maximumRetryAttempts"]', '5');
    await asyncForm.getByRole('button', { name: 'Save async settings' }).click();
    await expect(
      asyncForm.locator('label', { hasText: 'Retry attempts' }).getByTestId('field-error').textContent(),
    ).resolves.toMatch(/Value '5' at 'maximumRetryAttempts'.*less than or equal to 2/);
    await page.fill('input[name="maximumRetryAttempts"]', '0');
    await page.fill('input[name="onFailure"]', 'arn:aws:lambda:us-east-1:000000000000:function:nowhere');
    await asyncForm.getByRole('button', { name: 'Save async settings' }).click();
    await expect(asyncForm.getByTestId('field-error').textContent()).resolves.toMatch(
      /The destination ARN arn:aws:lambda:us-east-1:000000000000:function:nowhere is invalid/,
    );
    await page.fill('input[name="onFailure"]', '');
    await asyncForm.getByRole('button', { name: 'Save async settings' }).click();
    await asyncForm.getByText('Saved.').waitFor();
    await shot(page, 'configuration');

    await page.getByTestId('tab-test').click();
    await setEditor(page, 'editor-event', '{"n": 7}');
    await page.locator('select[name="invocationType"]').selectOption('Event');
    await page.getByRole('button', { name: 'Invoke' }).click();
    await page
      .getByTestId('invoke-result')
      .getByRole('heading', { name: /^Queued request [0-9a-f-]{36}$/ })
      .waitFor();
    await page.getByRole('link', { name: /Follow it on the async events tab/ }).click();

    const events = page.getByTestId('async-events');
    await expect
      .poll(() => page.getByTestId('count-failed').textContent(), { timeout: 15_000 })
      .toBe('failed 1');
    const row = events.locator('tbody tr').first();
    await expect(row.textContent()).resolves.toMatch(/failed.*1.*broken for 7/);
    await row.getByRole('button').first().click();
    await expect(page.getByTestId('event-detail').textContent()).resolves.toMatch(/"n": 7/);
    await shot(page, 'async-events');

    // 25 more failures: the list pages, 25 at a time.
    for (let n = 100; n < 125; n++) {
      await s.lambda.send(
        new InvokeCommand({
          FunctionName: 'flaky',
          InvocationType: 'Event',
          Payload: Buffer.from(`{"n":${n}}`),
        }),
      );
    }
    await expect
      .poll(() => page.getByTestId('count-failed').textContent(), { timeout: 20_000 })
      .toBe('failed 26');
    await expect.poll(() => events.locator('tbody tr').count()).toBe(25);
    await page.getByRole('button', { name: 'Next →' }).click();
    await expect.poll(() => events.locator('tbody tr').count()).toBe(1);
    await expect(events.textContent()).resolves.toMatch(/broken for 124/);
    await page.getByRole('button', { name: '← Previous' }).click();
    await expect.poll(() => events.locator('tbody tr').count()).toBe(25);

    // Fix the cause, then replay one, then all the others: each runs again and succeeds.
    await s.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'flaky', Environment: { Variables: {} } }),
    );
    await waitUntilFunctionUpdatedV2({ client: s.lambda, maxWaitTime: 30 }, { FunctionName: 'flaky' });
    await row.getByRole('button', { name: 'Replay' }).click();
    await expect(page.getByTestId('replay-note').textContent()).resolves.toBe('Replayed 1 event.');
    await expect
      .poll(() => page.getByTestId('count-succeeded').textContent(), { timeout: 15_000 })
      .toBe('succeeded 1');
    await page.getByRole('button', { name: 'Replay all failed' }).click();
    await expect(page.getByTestId('replay-note').textContent()).resolves.toBe('Replayed 25 events.');
    await expect
      .poll(() => page.getByTestId('count-succeeded').textContent(), { timeout: 20_000 })
      .toBe('succeeded 26');
    await expect(page.getByTestId('count-failed').textContent()).resolves.toBe('failed 0');
  });

  it('publishes versions and routes an alias between two of them', async () => {
    const { page } = b;
    await page.getByTestId('tab-versions').click();
    await page.fill('input[name="versionDescription"]', 'first');
    await page.getByRole('button', { name: 'Publish new version' }).click();
    await expect(page.getByTestId('publish-note').textContent()).resolves.toBe('Published version 1.');
    await s.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'flaky',
        Environment: { Variables: { RELEASE: '2' } },
      }),
    );
    await waitUntilFunctionUpdatedV2({ client: s.lambda, maxWaitTime: 30 }, { FunctionName: 'flaky' });
    await page.fill('input[name="versionDescription"]', 'second');
    await page.getByRole('button', { name: 'Publish new version' }).click();
    await expect(page.getByTestId('publish-note').textContent()).resolves.toBe('Published version 2.');
    const versions = page.getByTestId('versions').locator('tbody tr');
    await expect(versions.locator('td:first-child').allTextContents()).resolves.toEqual([
      '$LATEST',
      '1',
      '2',
    ]);

    await page.getByRole('button', { name: 'Create alias' }).click();
    const form = page.getByTestId('alias-form');
    await page.fill('input[name="aliasName"]', 'live');
    await form.locator('select[name="functionVersion"]').selectOption('1');
    await form.locator('select[name="additionalVersion"]').selectOption('2');
    await page.fill('input[name="weight"]', '1.5');
    await form.getByRole('button', { name: 'Create alias' }).click();
    await expect(
      form.locator('label', { hasText: 'Its weight' }).getByTestId('field-error').textContent(),
    ).resolves.toMatch(/routingConfig/);
    await page.fill('input[name="weight"]', '0.25');
    await form.getByRole('button', { name: 'Create alias' }).click();
    const alias = page.getByTestId('aliases').locator('tbody tr', { hasText: 'live' });
    await expect(alias.textContent()).resolves.toMatch(/live1 ?75% → 1, 25% → 2/);
    await shot(page, 'versions');

    // The alias is a qualifier in the test panel; the monitor charts one version.
    await alias.getByRole('link', { name: 'Test' }).click();
    await page.waitForURL(/tab=test&qualifier=live$/);
    await setEditor(page, 'editor-event', '{"n": 1}');
    await page.getByRole('button', { name: 'Invoke' }).click();
    const heading = (await page.getByTestId('invoke-result').locator('h3').textContent()) ?? '';
    const executed = /^Succeeded version ([12]) /.exec(heading)?.[1];
    expect(executed, heading).toBeDefined();
    await expect(page.getByTestId('response').textContent()).resolves.toBe('"done 1"');

    // The monitor charts one version: the one the alias ran has the invocation, the other none.
    const other = executed === '1' ? '2' : '1';
    const bars = async () =>
      (await page.getByTestId('chart-Invocations').locator('rect title').allTextContents()).join(' ');
    await page.goto(`${s.url}/console/functions/flaky?tab=monitor&version=${executed}`);
    await expect(page.locator('select[name="version"]').inputValue()).resolves.toBe(executed);
    await expect.poll(bars).toMatch(/invocations: 1/);
    await page.locator('select[name="version"]').selectOption(other);
    await page.waitForURL(new RegExp(`version=${other}$`));
    await expect.poll(bars).not.toMatch(/invocations: [1-9]/);
  });

  it('sets reserved and provisioned concurrency in the configuration tab, with READY and FAILED', async () => {
    const { page } = b;
    await page.goto(`${s.url}/console/functions/flaky?tab=configuration`);
    const reserved = page.getByTestId('reserved-concurrency');
    await expect
      .poll(() => reserved.getByTestId('reserved-now').textContent())
      .toMatch(/^Unreserved: it shares the account's \d+ unreserved concurrent executions/);
    await page.fill('input[name="reservedConcurrentExecutions"]', '-1');
    await reserved.getByRole('button', { name: 'Save reservation' }).click();
    await expect(reserved.getByTestId('field-error').textContent()).resolves.toMatch(
      /Value '-1' at 'reservedConcurrentExecutions' failed to satisfy constraint/,
    );
    await page.fill('input[name="reservedConcurrentExecutions"]', '5');
    await reserved.getByRole('button', { name: 'Save reservation' }).click();
    await expect(reserved.getByTestId('reserved-note').textContent()).resolves.toBe('Reserved 5.');
    await reserved.getByText(/^Reserved 5 concurrent executions/).waitFor();
    await expect(
      s.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'flaky' })),
    ).resolves.toMatchObject({ ReservedConcurrentExecutions: 5 });

    // Provisioned concurrency: on a version or an alias, within the reservation, never on a weighted alias.
    const provisioned = page.getByTestId('provisioned-concurrency');
    await provisioned.getByText('No provisioned concurrency.').waitFor();
    await provisioned.locator('select[name="qualifier"] option[value="live"]').waitFor({ state: 'attached' });
    await expect(provisioned.locator('select[name="qualifier"] option').allTextContents()).resolves.toEqual([
      '1',
      '2',
      'live',
    ]);
    const saveProvisioned = provisioned.getByRole('button', { name: 'Save provisioned concurrency' });
    await provisioned.locator('select[name="qualifier"]').selectOption('live');
    await saveProvisioned.click();
    await expect(provisioned.getByTestId('field-error').textContent()).resolves.toBe(
      'Alias with weights can not be used with Provisioned Concurrency',
    );
    await provisioned.locator('select[name="qualifier"]').selectOption('2');
    await page.fill('input[name="provisionedConcurrentExecutions"]', '6');
    await saveProvisioned.click();
    await expect(provisioned.getByTestId('field-error').textContent()).resolves.toBe(
      'Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function',
    );
    await page.fill('input[name="provisionedConcurrentExecutions"]', '0');
    await saveProvisioned.click();
    await expect(provisioned.getByTestId('field-error').textContent()).resolves.toMatch(
      /Value '0' at 'provisionedConcurrentExecutions' failed to satisfy constraint/,
    );
    await page.fill('input[name="provisionedConcurrentExecutions"]', '2');
    await saveProvisioned.click();
    await expect(provisioned.getByTestId('provisioned-note').textContent()).resolves.toBe(
      'Provisioning 2 for 2: IN_PROGRESS.',
    );
    // The table follows the allocation until it is READY.
    const configRow = provisioned.getByTestId('provisioned-configs').locator('tbody tr').first();
    await expect
      .poll(() => configRow.textContent(), { timeout: 20_000 })
      .toMatch(/^222 \(2 available\)READY/);
    await expect(
      s.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'flaky', Qualifier: '2' })),
    ).resolves.toMatchObject({ Status: 'READY', AllocatedProvisionedConcurrentExecutions: 2 });

    // The reservation cannot go below what is provisioned.
    await page.fill('input[name="reservedConcurrentExecutions"]', '1');
    await reserved.getByRole('button', { name: 'Save reservation' }).click();
    await expect(reserved.getByTestId('field-error').textContent()).resolves.toBe(
      "Specified ReservedConcurrentExecutions for function is less than the function's provisioned concurrency [2].",
    );
    await shot(page, 'concurrency');

    // Removing both: the configuration goes (Lambda says so), then the reservation.
    await configRow.getByRole('button', { name: 'Remove' }).click();
    await provisioned.getByText('No provisioned concurrency.').waitFor();
    await expect(
      s.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'flaky', Qualifier: '2' })),
    ).rejects.toMatchObject({ name: 'ProvisionedConcurrencyConfigNotFoundException' });
    await reserved.getByRole('button', { name: 'Remove reservation' }).click();
    await reserved.getByText(/^Unreserved/).waitFor();

    // A version whose init fails: its configuration ends FAILED, with the reason.
    await s.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'bad-init',
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Role: TEST_ROLE,
        Code: { ZipFile: await makeZip({ 'index.js': 'throw new Error("no database");' }) },
      }),
    );
    await waitUntilFunctionActiveV2({ client: s.lambda, maxWaitTime: 30 }, { FunctionName: 'bad-init' });
    await s.lambda.send(new PublishVersionCommand({ FunctionName: 'bad-init' }));
    await page.goto(`${s.url}/console/functions/bad-init?tab=configuration`);
    const failing = page.getByTestId('provisioned-concurrency');
    await failing.locator('select[name="qualifier"] option', { hasText: '1' }).waitFor({ state: 'attached' });
    await failing.getByRole('button', { name: 'Save provisioned concurrency' }).click();
    await expect
      .poll(() => failing.getByTestId('provisioned-configs').locator('tbody tr').first().textContent(), {
        timeout: 20_000,
      })
      .toMatch(/^110 \(0 available\)FAILEDThe function failed to initialize/);
    await failing.getByRole('button', { name: 'Remove' }).click();
    await failing.getByText('No provisioned concurrency.').waitFor();
  });

  it('sets asynchronous invocation settings on an alias, lists them and removes them', async () => {
    const { page } = b;
    await page.goto(`${s.url}/console/functions/flaky?tab=configuration`);
    const card = page.getByTestId('event-invoke-config');
    const qualifier = card.locator('select[name="qualifier"]');
    const retries = card.locator('input[name="maximumRetryAttempts"]');
    const maxAge = card.locator('input[name="maximumEventAgeInSeconds"]');
    const save = card.getByRole('button', { name: 'Save async settings' });
    const rows = card.getByTestId('event-invoke-configs').locator('tbody tr');
    // The choices are $LATEST then what ListVersionsByFunction and ListAliases return.
    await qualifier.locator('option[value="live"]').waitFor({ state: 'attached' });
    await expect(qualifier.locator('option').allTextContents()).resolves.toEqual([
      '$LATEST',
      '1',
      '2',
      'live',
    ]);
    // The async-failure step configured $LATEST (0 retries, 6 hours): the list has it, the form shows it.
    await expect.poll(() => rows.locator('td:first-child').allTextContents()).toEqual(['$LATEST']);
    await expect(rows.first().textContent()).resolves.toMatch(/^\$LATEST021600 s——/);
    await card.getByText('Configured for $LATEST').waitFor();
    await expect(retries.inputValue()).resolves.toBe('0');

    await qualifier.selectOption('live');
    await card.getByText('Not configured for live').waitFor();
    await expect(retries.inputValue()).resolves.toBe('2');
    // Bad input: the API's own message, next to the field it names.
    await maxAge.fill('30');
    await save.click();
    await expect(
      card.locator('label', { hasText: 'Maximum event age' }).getByTestId('field-error').textContent(),
    ).resolves.toBe(
      "1 validation error detected: Value '30' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60",
    );
    await expect(card.getByTestId('field-error').count()).resolves.toBe(1);

    const target = await s.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'from-zip' }));
    await retries.fill('1');
    await maxAge.fill('120');
    await card.locator('input[name="onSuccess"]').fill(target.FunctionArn!);
    await save.click();
    await expect(card.getByTestId('event-invoke-note').textContent()).resolves.toBe('Saved.');
    await card.getByText('Configured for live').waitFor();
    const live = await s.lambda.send(
      new GetFunctionEventInvokeConfigCommand({ FunctionName: 'flaky', Qualifier: 'live' }),
    );
    expect(live).toMatchObject({
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 120,
      DestinationConfig: { OnSuccess: { Destination: target.FunctionArn } },
    });
    expect(live.FunctionArn).toMatch(/:function:flaky:live$/);
    // $LATEST keeps its own settings.
    await expect(
      s.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'flaky', Qualifier: '$LATEST' })),
    ).resolves.toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 21600 });

    await expect.poll(() => rows.locator('td:first-child').allTextContents()).toEqual(['$LATEST', 'live']);
    const liveRow = rows.filter({ hasText: /^live/ });
    await expect(liveRow.textContent()).resolves.toBe(
      `live1120 s${target.FunctionArn}—${live.LastModified!.toLocaleString('en-GB')}Edit Remove`,
    );
    await shot(page, 'event-invoke-configs');

    // Edit from the list loads that qualifier's settings into the form.
    await qualifier.selectOption('$LATEST');
    await card.getByText('Configured for $LATEST').waitFor();
    await liveRow.getByRole('button', { name: 'Edit' }).click();
    await expect(qualifier.inputValue()).resolves.toBe('live');
    await expect.poll(() => maxAge.inputValue()).toBe('120');

    await liveRow.getByRole('button', { name: 'Remove' }).click();
    await expect(card.getByTestId('event-invoke-note').textContent()).resolves.toBe(
      'Removed the settings of live: the defaults apply (2 retries, 6 hours).',
    );
    await expect.poll(() => rows.locator('td:first-child').allTextContents()).toEqual(['$LATEST']);
    await card.getByText('Not configured for live').waitFor();
    await expect(
      s.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'flaky', Qualifier: 'live' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('browses the buckets: creates one, uploads, opens folders, downloads and deletes', async () => {
    const { page } = b;
    await page.getByRole('link', { name: 'Buckets', exact: true }).click();
    await page.waitForURL(/\/console\/buckets$/);
    await page.getByTestId('buckets').getByRole('link', { name: 'uploads' }).waitFor();
    await page.fill('input[name="bucketName"]', 'Bad Bucket');
    await page.getByRole('button', { name: 'Create bucket' }).click();
    await expect(page.getByTestId('field-error').textContent()).resolves.toBe(
      'The specified bucket is not valid.',
    );
    await page.fill('input[name="bucketName"]', 'photos');
    await page.getByRole('button', { name: 'Create bucket' }).click();
    await page.waitForURL(/\/console\/buckets\/photos$/);
    await page.getByText('Nothing here yet').waitFor();

    await page
      .locator('input[name="upload"]')
      .setInputFiles({ name: 'cat.txt', mimeType: 'text/plain', buffer: Buffer.from('meow') });
    await expect(page.getByTestId('bucket-note').textContent()).resolves.toBe('Uploaded cat.txt.');
    const s3 = new S3Client({
      endpoint: s.url,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      forcePathStyle: true,
    });
    try {
      await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'albums/2026/dog.txt', Body: 'woof' }));
    } finally {
      s3.destroy();
    }
    await page.reload();
    const objects = page.getByTestId('objects');
    await expect(objects.locator('tbody tr', { hasText: 'cat.txt' }).textContent()).resolves.toMatch(
      /cat\.txt4 B/,
    );
    await objects.getByRole('button', { name: /albums\// }).click();
    await objects.getByRole('button', { name: /2026\// }).click();
    await page.waitForURL(/prefix=albums%2F2026%2F$/);
    await expect(page.getByTestId('prefix').textContent()).resolves.toBe('photos / albums / 2026');
    const row = objects.locator('tbody tr', { hasText: 'dog.txt' });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('button', { name: 'Download' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('dog.txt');
    const { readFile } = await import('node:fs/promises');
    await expect(readFile((await download.path())!, 'utf8')).resolves.toBe('woof');
    await shot(page, 'bucket');

    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Delete' }).click();
    await expect(page.getByTestId('bucket-note').textContent()).resolves.toBe('Deleted albums/2026/dog.txt.');
    await page.getByText('Nothing here yet').waitFor();
  });

  it('follows the build of a deployment that needs one, and shows why it failed', async () => {
    const { page } = b;
    await page.getByRole('link', { name: 'Create function', exact: true }).click();
    await page.fill('input[name="functionName"]', 'ts-build');
    await page.getByLabel('Upload a .zip').check();
    const zip = await makeZip({ 'index.ts': 'export const handler = async ( => 1;' });
    await page
      .locator('input[name="zip"]')
      .setInputFiles({ name: 'fn.zip', mimeType: 'application/zip', buffer: zip });
    await page.getByRole('button', { name: 'Deploy' }).click();
    await expect(page.getByTestId('error').textContent()).resolves.toMatch(
      /Deployment failed.*TypeScript transpile failed: .*index\.ts/,
    );
    await expect(page.getByTestId('deploy-progress').textContent()).resolves.toMatch(
      /failed Wait until it is Active/,
    );
    await expect(page.getByTestId('build-log').textContent()).resolves.toMatch(/index\.ts/);
    await shot(page, 'build-failed');
  });
});

const KEY = { accessKeyId: 'AKIACONSOLETEST0001', secretAccessKey: 'console-secret-key-0123456789' };

describe.skipIf(!CHROMIUM)('console sign-in when authentication is enforced', () => {
  let secured: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    secured = await startTestServer(KEY);
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await secured?.close();
  });

  it('refuses a wrong key and signs in with the right one, keeping the secret in the tab only', async () => {
    const { page } = browser;
    await page.goto(`${secured.url}/console/`);
    await page.getByRole('heading', { name: 'Nimbus console' }).waitFor();
    await shot(page, 'login');

    await page.fill('input[name="accessKeyId"]', KEY.accessKeyId);
    await page.fill('input[name="secretAccessKey"]', 'not-the-secret-key-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('error').textContent()).resolves.toMatch(
      /InvalidSignatureException.*The request signature we calculated does not match/,
    );
    await page.fill('input[name="accessKeyId"]', 'AKIAUNKNOWNKEY000001');
    await page.fill('input[name="secretAccessKey"]', KEY.secretAccessKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('error').textContent()).resolves.toMatch(
      /UnrecognizedClientException.*The security token included in the request is invalid/,
    );

    // The right key: the Lambda API (signed by the AWS SDK in the page) and /nimbus/v1 both answer.
    const zip = await makeZip({ 'index.js': 'exports.handler = async () => 1;' });
    const { LambdaClient } = await import('@aws-sdk/client-lambda');
    const admin = new LambdaClient({ endpoint: secured.url, region: 'us-east-1', credentials: KEY });
    await admin.send(
      new CreateFunctionCommand({
        FunctionName: 'guarded',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: TEST_ROLE,
        Code: { ZipFile: zip },
      }),
    );
    admin.destroy();
    await page.fill('input[name="accessKeyId"]', KEY.accessKeyId);
    await page.fill('input[name="secretAccessKey"]', KEY.secretAccessKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('functions').getByRole('link', { name: 'guarded' }).waitFor();
    expect(await page.evaluate('document.cookie')).toBe('');
    expect(await page.evaluate('sessionStorage.getItem("nimbus.credentials")')).toContain(KEY.accessKeyId);

    // Unsigned API calls are still refused.
    const unsigned = await fetch(`${secured.url}/nimbus/v1/status`);
    expect(unsigned.status).toBe(403);

    // The S3, API Gateway and SQS clients in the page sign with the same key: the triggers tab
    // lists every kind, and the bucket browser creates a bucket.
    await page.getByTestId('functions').getByRole('link', { name: 'guarded' }).click();
    await page.getByTestId('tab-triggers').click();
    await page.getByText('No triggers yet').waitFor();
    await expect(page.getByTestId('error').count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'Buckets', exact: true }).click();
    await page.fill('input[name="bucketName"]', 'guarded-bucket');
    await page.getByRole('button', { name: 'Create bucket' }).click();
    await page.waitForURL(/\/console\/buckets\/guarded-bucket$/);
    await page.getByText('Nothing here yet').waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate('sessionStorage.getItem("nimbus.credentials")')).toBeNull();
  });
});
