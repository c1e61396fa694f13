/**
 * The web console end to end: a real `stint serve`, the local PostgreSQL
 * behind its gateway, and Debian's chromium driven by playwright-core.
 * An admin invites a contractor; the contractor accepts in the browser, sees
 * the resource and its connection string, connects with `pg` and queries; the
 * admin kills the live session and the client's connection ends; the
 * contractor asks for write access, the approver approves, the portal shows
 * the grant's own countdown; the audit page finds the statement by its text.
 * Every page on the way is checked with axe-core against WCAG 2 A/AA, and the
 * main controls are used with the keyboard (Tab to reach, Enter, Escape).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeProcess } from '../support/cli-harness.ts';
import { TEST_PG_ADMIN_URL } from '../support/test-store.ts';
import { axeViolations, formatAxeFindings, type AxeFinding } from './support/console-axe.ts';
import { consoleE2ePolicy } from './support/console-e2e-policy.ts';
import { hasFocus, tabTo } from './support/console-keyboard.ts';
import { reflowProblem } from './support/console-reflow.ts';
import { launchConsoleBrowser, prepareConsoleTest, screenshotDir, signIn, type ConsoleBrowser } from './support/console-browser.ts';

const CONTRACTOR = 'alice@vendor.example';
/** A word nothing else in the log contains, so the audit search can only find the statement. */
const MARKER = 'bluefinch';
const UI_TIMEOUT = 30_000;

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function api<T>(serve: ServeProcess, token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${serve.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

describe('web console end to end', () => {
  const database = `stint_e2e_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const shots = screenshotDir();
  let policyDir: string;
  let serve: ServeProcess;
  let browser: ConsoleBrowser;

  beforeAll(async () => {
    prepareConsoleTest();
    await adminQuery(`CREATE DATABASE ${database}`);
    const setup = new pg.Client({ connectionString: TEST_PG_ADMIN_URL.replace(/\/[^/]*$/, `/${database}`) });
    await setup.connect();
    await setup.query(`CREATE TABLE invoices (id int PRIMARY KEY, customer text, amount numeric); INSERT INTO invoices VALUES (1, 'Acme', 120.50), (2, 'Globex', 99.00)`);
    await setup.end();
    policyDir = mkdtempSync(join(tmpdir(), 'stint-e2e-policy-'));
    writeFileSync(join(policyDir, 'policy.yaml'), consoleE2ePolicy(database));
    serve = await startServe(policyDir);
    browser = await launchConsoleBrowser();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (policyDir !== undefined) rmSync(policyDir, { recursive: true, force: true });
    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    shots.cleanup();
  });

  /**
   * Screenshots once `ready` shows and no panel is still loading. Never 'networkidle': the live event stream
   * keeps a request open for as long as the page is, so the network never idles.
   */
  const shoot = async (page: Page, name: string, ready: Locator): Promise<void> => {
    await ready.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await expect.poll(() => page.locator('p.loading').count(), { timeout: UI_TIMEOUT }).toBe(0);
    await page.screenshot({ path: join(shots.dir, `${name}.png`), fullPage: true, animations: 'disabled' });
  };

  /**
   * Serious and critical axe findings of every page visited, and pages that do not reflow at 320 px;
   * asserted at the end so one run lists them all.
   */
  const a11y: AxeFinding[] = [];
  const reflow: string[] = [];
  const audit = async (page: Page, label: string): Promise<void> => {
    await expect.poll(() => page.locator('p.loading').count(), { timeout: UI_TIMEOUT }).toBe(0);
    a11y.push(...(await axeViolations(page, label)));
    const problem = await reflowProblem(page);
    if (problem !== null) reflow.push(`[${label}] ${problem}`);
  };

  it('invite → accept → query → kill → request → approve → audit, in the browser', async () => {
    // --- The admin signs in and invites the contractor. ---
    const admin = await browser.newPage();
    await admin.goto(`${serve.url}/`);
    await shoot(admin, 'sign-in', admin.getByLabel('Access token'));
    await audit(admin, 'sign-in');
    // Tab reaches the field and the button with a visible focus ring, in both colour schemes.
    for (const colorScheme of ['light', 'dark'] as const) {
      await admin.emulateMedia({ colorScheme });
      await admin.reload();
      await tabTo(admin, admin.getByLabel('Access token'), `sign-in field (${colorScheme})`);
      await tabTo(admin, admin.getByRole('button', { name: 'Sign in' }), `sign-in button (${colorScheme})`);
    }
    await admin.emulateMedia({ colorScheme: 'light' });
    await signIn(admin, serve.url, serve.adminToken);
    await admin.getByRole('heading', { name: 'Overview', level: 1 }).waitFor({ timeout: UI_TIMEOUT });
    const mainNav = admin.getByRole('navigation', { name: 'Main' });
    for (const link of ['Overview', 'Contractors', 'Access', 'Requests', 'Sessions', 'Audit']) {
      await tabTo(admin, mainNav.getByRole('link', { name: link, exact: true }), `nav link ${link}`);
    }
    // The first Tab stop after a load is the skip link; Enter on it moves focus to the page's content.
    await admin.reload();
    await admin.getByRole('heading', { name: 'Overview', level: 1 }).waitFor({ timeout: UI_TIMEOUT });
    await tabTo(admin, admin.getByRole('link', { name: 'Skip to content' }), 'skip link', 1);
    await admin.keyboard.press('Enter');
    await expect.poll(() => hasFocus(admin.getByRole('main')), { timeout: UI_TIMEOUT }).toBe(true);

    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contractors' }).click();
    const inviteForm = admin.getByRole('region', { name: 'Invite a contractor' });
    await inviteForm.getByLabel('Email').fill(CONTRACTOR);
    await inviteForm.getByLabel('Roles').fill('readonly');
    await inviteForm.getByRole('button', { name: 'Create invite' }).click();
    const inviteLink = await inviteForm.getByRole('textbox', { name: 'Invite link' }).inputValue({ timeout: UI_TIMEOUT });
    expect(inviteLink).toMatch(/\/invite\/[A-Za-z0-9_-]+$/);
    await shoot(admin, 'contractors', inviteForm.getByRole('textbox', { name: 'Invite link' }));
    await audit(admin, 'contractors');

    // --- The contractor opens the link, accepts in the browser and lands on the portal. ---
    const contractor = await browser.newPage();
    expect(inviteLink.startsWith(`${serve.url}/invite/`)).toBe(true);
    await contractor.goto(inviteLink);
    await contractor.getByRole('button', { name: 'Accept in browser' }).waitFor({ timeout: UI_TIMEOUT });
    await audit(contractor, 'invite landing');
    await contractor.getByRole('button', { name: 'Accept in browser' }).click();
    const token = await contractor.getByRole('textbox', { name: 'Your access token' }).inputValue({ timeout: UI_TIMEOUT });
    expect(token).toMatch(/^stint_/);
    await audit(contractor, 'invite landing, accepted');
    await contractor.getByRole('button', { name: 'Continue to the console' }).click();
    const card = contractor.getByRole('article', { name: 'Resource demo' });
    await card.waitFor({ timeout: UI_TIMEOUT });
    const uri = await card.getByRole('textbox', { name: 'Connection URI for demo' }).inputValue();
    expect(uri).toContain(`${encodeURIComponent(CONTRACTOR)}@127.0.0.1:${serve.postgresPort}/demo`);
    expect(await card.getByRole('textbox', { name: 'psql command for demo' }).inputValue()).toBe(`psql "${uri}"`);
    await audit(contractor, 'portal');

    // --- The contractor connects with their own client, as the portal says. ---
    const settings = new URL(uri);
    const ca = await (await fetch(`${serve.url}/v1/ca`)).text();
    const client = new pg.Client({
      host: settings.hostname,
      port: Number(settings.port),
      database: decodeURIComponent(settings.pathname.slice(1)),
      user: decodeURIComponent(settings.username),
      password: token,
      ssl: settings.searchParams.get('sslmode') === 'verify-full' ? { ca } : { rejectUnauthorized: false },
    });
    const clientErrors: Error[] = [];
    client.on('error', (error) => clientErrors.push(error));
    const clientEnded = new Promise<void>((resolve) => client.once('end', resolve));
    await client.connect();
    const rows = await client.query<{ marker: string; n: string }>(`SELECT '${MARKER}' AS marker, count(*) AS n FROM invoices`);
    expect(rows.rows).toEqual([{ marker: MARKER, n: '2' }]);

    // --- The admin sees the live session and kills it; the client's connection ends. ---
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sessions' }).click();
    const kill = admin.getByRole('button', { name: `Kill session of ${CONTRACTOR} on demo` });
    await kill.waitFor({ timeout: UI_TIMEOUT });
    await shoot(admin, 'sessions', kill);
    await audit(admin, 'sessions');
    // By keyboard: Tab to the kill button, Enter opens the dialog, Escape closes it and focus returns to the button.
    await tabTo(admin, kill, 'kill button');
    await admin.keyboard.press('Enter');
    const dialog = admin.getByRole('dialog', { name: 'Kill this session?' });
    await dialog.waitFor({ timeout: UI_TIMEOUT });
    await audit(admin, 'confirm dialog');
    await admin.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await expect.poll(() => hasFocus(kill), { timeout: UI_TIMEOUT }).toBe(true);
    await admin.keyboard.press('Enter');
    await dialog.getByRole('button', { name: 'Kill session' }).click();
    await Promise.race([clientEnded, new Promise((_, reject) => setTimeout(() => reject(new Error('the killed client connection did not end')), UI_TIMEOUT))]);
    expect(clientErrors.map((e) => e.message).join('\n')).toMatch(/ended by/);
    await expect(client.query('SELECT 1')).rejects.toThrow();
    await admin.getByRole('table', { name: 'Live sessions' }).waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await admin.getByRole('region', { name: 'Session history' }).getByRole('link', { name: `${CONTRACTOR} on demo` }).first().click();
    await admin.getByRole('heading', { name: /^Session \S+$/, level: 1 }).waitFor({ timeout: UI_TIMEOUT });
    await audit(admin, 'session detail');

    // --- The contractor asks for write access for an hour. ---
    const request = contractor.getByRole('form', { name: 'Request access' });
    await request.getByLabel('Resource').fill('demo');
    await request.getByRole('checkbox', { name: 'read' }).uncheck();
    await request.getByRole('checkbox', { name: 'write' }).check();
    await request.getByLabel('Duration').fill('1h');
    await request.getByLabel('Reason').fill('Correct the Globex invoice amount');
    await request.getByRole('button', { name: 'Send request' }).click();
    await contractor.getByText('Request sent.').waitFor({ timeout: UI_TIMEOUT });

    // --- The approver approves it from the queue. ---
    const approverToken = (await api<{ token: string }>(serve, serve.adminToken, 'POST', '/v1/tokens', { for: 'approver@corp.example', ttl: '1h' })).token;
    const approver = await browser.newPage();
    await signIn(approver, serve.url, approverToken);
    await approver.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Requests' }).click();
    const pending = approver.getByRole('article', { name: `Request from ${CONTRACTOR} for demo` });
    await pending.waitFor({ timeout: UI_TIMEOUT });
    await shoot(approver, 'requests', pending);
    await audit(approver, 'requests');
    await tabTo(approver, pending.getByRole('button', { name: 'Approve' }), 'approve button');
    await approver.keyboard.press('Enter');
    await pending.getByText(/approved/i).first().waitFor({ timeout: UI_TIMEOUT });

    // --- The portal shows write with its own countdown, without a reload (live feed or polling). ---
    await card.getByText(/read, write/).waitFor({ timeout: UI_TIMEOUT });
    const write = card.getByRole('listitem', { name: 'write on demo' });
    await write.getByText('approved grant').waitFor({ timeout: UI_TIMEOUT });
    // The grant's hour, not the engagement's 30 days: "ends in 59 min 58 s" (or "1 h" in the very first second).
    await expect(write.locator('time.countdown').textContent()).resolves.toMatch(/^ends in (1 h|5\d min( \d+ s)?)$/);
    const writeEnd = Date.parse((await write.locator('time.countdown').getAttribute('datetime')) ?? '');
    expect(writeEnd - Date.now()).toBeGreaterThan(50 * 60_000);
    expect(writeEnd - Date.now()).toBeLessThanOrEqual(3_600_000);
    // read comes from the role and lasts the engagement; the resource's own countdown says when all access ends.
    await expect(card.getByRole('listitem', { name: 'read on demo' }).textContent()).resolves.toMatch(/through your role — ends in (29 d|30 d)/);
    await expect(card.getByText(/^access ends in/).textContent()).resolves.toMatch(/^access ends in (29 d|30 d)/);
    await shoot(contractor, 'portal', write);
    await audit(contractor, 'portal with a grant');

    // --- The audit page finds the statement by its text. ---
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    const search = admin.getByRole('search', { name: 'Search the audit log' });
    await search.getByLabel('Search audit events').fill(MARKER);
    await search.getByRole('button', { name: 'Search' }).click();
    const events = admin.getByRole('list', { name: 'Audit events, newest first' });
    await events.getByText(MARKER).first().waitFor({ timeout: UI_TIMEOUT });
    await expect(events.getByText('STATEMENT_ALLOWED').count()).resolves.toBeGreaterThan(0);
    await shoot(admin, 'audit', events.getByText(MARKER).first());
    await audit(admin, 'audit');

    // --- The remaining pages, for the record. ---
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    await shoot(admin, 'overview', admin.getByRole('heading', { name: 'Overview', level: 1 }));
    await audit(admin, 'overview');
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Access' }).click();
    await shoot(admin, 'access', admin.getByText(CONTRACTOR).first());
    await audit(admin, 'access');
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contractors' }).click();
    await admin.getByRole('link', { name: new RegExp(CONTRACTOR.replace('.', '\\.')) }).first().click();
    await shoot(admin, 'contractor-detail', admin.getByRole('heading', { name: new RegExp(CONTRACTOR.replace('.', '\\.')), level: 1 }));
    await audit(admin, 'contractor detail');

    // No page may have failed to load a script or broken on the way (CSP violations are console errors).
    expect(browser.problems).toEqual([]);
    // WCAG 2 A/AA: no serious or critical axe violation on any page visited.
    expect(formatAxeFindings(a11y)).toBe('');
    expect(reflow).toEqual([]);
    // Typically 20–35 s with the accessibility checks; the generous timeout leaves room for a loaded machine.
  }, 180_000);
});
