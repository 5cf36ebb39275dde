import { CreateFunctionCommand, DeleteFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ROLE, type TestServer } from '../support/server.js';
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

describe.skipIf(!CHROMIUM)('console in headless Chromium', () => {
  beforeAll(async () => {
    s = await startTestServer();
    b = await openBrowser();
  });
  afterAll(async () => {
    await b?.close();
    await s?.close();
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
    const { GetFunctionConfigurationCommand } = await import('@aws-sdk/client-lambda');
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
    await expect(logs.getByText('greeting console').count()).resolves.toBe(0);

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
    await expect(logs.getByText('greeting console').count()).resolves.toBe(0);
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
    await expect(page.getByTestId('function-state').locator('..').textContent()).resolves.toContain('7 s');

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

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate('sessionStorage.getItem("nimbus.credentials")')).toBeNull();
  });
});
