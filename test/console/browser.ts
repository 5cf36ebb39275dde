import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { PACKAGE_ROOT } from '../../src/main/paths.js';
import { requireTool } from '../support/system-tools.js';

/** Debian's `chromium` (installed by .ci/run); tests skip locally without it, and fail in CI. */
export const CHROMIUM = requireTool(
  'chromium',
  existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined,
  'apt-get install -y chromium',
);

/** Screenshots of the main pages, kept by the test run (gitignored). */
export const SCREENSHOTS = join(PACKAGE_ROOT, 'test-results', 'console');

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  page: Page;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile; page errors fail loudly instead of leaving a blank page. */
export async function openBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'nimbus-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM!,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
      if (errors.length) throw new Error(`errors in the page: ${errors.join('; ')}`);
    },
  };
}

export const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** Replaces a CodeMirror editor's text as typing would. */
export async function setEditor(page: Page, testId: string, text: string): Promise<void> {
  const content = page.locator(`[data-testid="${testId}"] .cm-content`);
  await content.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}
