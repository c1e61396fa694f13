import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../support/cli-harness.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The flags the console test runs Chromium with: no sandbox (root in CI), no GPU, nothing that phones home. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** What the end-to-end test needs before it starts: Debian's chromium and a current console build. */
export function prepareConsoleTest(): void {
  execFileSync(join(REPO_ROOT, 'scripts/ensure-chromium.sh'), { stdio: 'inherit', timeout: 600_000 });
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts/build-console-if-missing.mjs')], { cwd: REPO_ROOT, stdio: 'inherit', timeout: 300_000 });
}

export interface ConsoleBrowser {
  readonly context: BrowserContext;
  /** A new tab; each tab has its own sessionStorage, so each can be signed in as someone else. */
  newPage(): Promise<Page>;
  /** Problems the pages reported: uncaught errors and console errors (CSP violations among them). */
  readonly problems: string[];
  close(): Promise<void>;
}

export async function launchConsoleBrowser(): Promise<ConsoleBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'stint-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 860 },
    timezoneId: 'UTC',
    locale: 'en-GB',
  });
  // Fail a step with its locator well before the test's own timeout, so a failure says where it stopped.
  context.setDefaultTimeout(30_000);
  const problems: string[] = [];
  const watch = (page: Page): void => {
    page.on('pageerror', (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      // A failed load is reported below with its URL; the console line names none.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console error on ${page.url()}: ${message.text()}`);
    });
    page.on('response', (response) => {
      const status = response.status();
      // 4xx answers the test provokes on purpose are none; the browser's own favicon probe is not the console's.
      if (status >= 400 && new URL(response.url()).pathname !== '/favicon.ico') problems.push(`${status} for ${response.request().method()} ${response.url()}`);
    });
  };
  context.on('page', watch);
  return {
    context,
    problems,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Where screenshots go: docs/screenshots with STINT_UPDATE_SCREENSHOTS=1, else a temp dir, so test runs do not dirty the tree. */
export function screenshotDir(): { dir: string; cleanup: () => void } {
  if (process.env.STINT_UPDATE_SCREENSHOTS === '1') {
    const dir = join(REPO_ROOT, 'docs/screenshots');
    mkdirSync(dir, { recursive: true });
    return { dir, cleanup: () => undefined };
  }
  const dir = mkdtempSync(join(tmpdir(), 'stint-screenshots-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Signs a tab in with a token through the sign-in page. */
export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: /sign out/i }).waitFor();
}
