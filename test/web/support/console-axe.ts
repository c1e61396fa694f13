/**
 * Measured accessibility for the console's end-to-end test: axe-core run inside the page against the
 * WCAG 2.0/2.1/2.2 A and AA rules.
 *
 * The console's CSP (`script-src 'self'`) refuses an injected <script> element, so axe's source is
 * evaluated through the automation channel instead (`page.evaluate` of a string is not subject to the
 * page's CSP). The helper then checks that `window.axe` exists and that the run really evaluated rules,
 * so a silently failed injection cannot pass as "no violations".
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/**
 * The rule tags the console is held to: WCAG 2.0, 2.1 and 2.2 at levels A and AA, plus axe's best
 * practices (landmarks, heading order, unique region names), which are held to the same impact bar.
 */
export const WCAG_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] as const;

/** styles.css has a light and a dark palette; both are measured. */
const COLOUR_SCHEMES = ['light', 'dark'] as const;

/** Impacts that fail the test; minor and moderate findings are printed by callers that want them, not failed. */
const FAILING_IMPACTS = new Set(['serious', 'critical']);

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeNode {
  readonly target: readonly unknown[];
  readonly failureSummary?: string;
}
interface AxeRule {
  readonly id: string;
  readonly impact?: string | null;
  readonly help: string;
  readonly nodes: readonly AxeNode[];
}
interface AxeSummary {
  readonly engine: string;
  readonly violations: readonly AxeRule[];
  readonly passes: number;
  readonly rulesRun: number;
}

export interface AxeFinding {
  readonly page: string;
  readonly rule: string;
  readonly impact: string;
  readonly target: string;
  readonly summary: string;
}

/** axe as it appears on the page's window once its source has run (the compilation has no DOM library). */
interface AxeWindow {
  readonly document: unknown;
  readonly axe?: {
    readonly version: string;
    run(context: unknown, options: unknown): Promise<{ testEngine: { name: string }; violations: AxeRule[]; passes: unknown[]; incomplete: unknown[]; inapplicable: unknown[] }>;
  };
}

/** Puts axe into the page once (a client-side navigation keeps it; a full load needs it again). */
async function ensureAxe(page: Page): Promise<void> {
  const present = await page.evaluate(() => typeof (globalThis as unknown as AxeWindow).axe?.run === 'function');
  if (present) return;
  await page.evaluate(axeSource);
  const loaded = await page.evaluate(() => typeof (globalThis as unknown as AxeWindow).axe?.run === 'function');
  if (!loaded) throw new Error(`axe-core could not be loaded into ${page.url()}`);
}

/**
 * Runs axe on the whole document, in the light and the dark colour scheme, and returns every serious or
 * critical violation, one entry per element, with the rule id, the element's selector and axe's summary of
 * what to fix.
 */
export async function axeViolations(page: Page, label: string): Promise<AxeFinding[]> {
  await ensureAxe(page);
  const findings: AxeFinding[] = [];
  try {
    for (const colorScheme of COLOUR_SCHEMES) {
      await page.emulateMedia({ colorScheme });
      findings.push(...(await runAxe(page, `${label}, ${colorScheme}`)));
    }
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
  }
  return findings;
}

async function runAxe(page: Page, label: string): Promise<AxeFinding[]> {
  const summary = await page.evaluate(async (tags: readonly string[]): Promise<AxeSummary> => {
    const { axe, document } = globalThis as unknown as AxeWindow;
    if (axe === undefined) throw new Error('axe-core is not on the page');
    const results = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return {
      engine: `${results.testEngine.name} ${axe.version}`,
      violations: results.violations.map((rule) => ({
        id: rule.id,
        impact: rule.impact ?? null,
        help: rule.help,
        nodes: rule.nodes.map((node) => ({ target: node.target, ...(node.failureSummary === undefined ? {} : { failureSummary: node.failureSummary }) })),
      })),
      passes: results.passes.length,
      rulesRun: results.passes.length + results.violations.length + results.incomplete.length + results.inapplicable.length,
    };
  }, WCAG_AA_TAGS);
  // A run that evaluated nothing means axe did not work on this page, not that the page is accessible.
  if (!summary.engine.startsWith('axe-core') || summary.rulesRun < 20 || summary.passes === 0) {
    throw new Error(`axe did not really run on ${label} (${page.url()}): ${summary.engine}, ${summary.rulesRun} rules, ${summary.passes} passed`);
  }
  const findings: AxeFinding[] = [];
  for (const rule of summary.violations) {
    const impact = rule.impact ?? 'unknown';
    if (!FAILING_IMPACTS.has(impact)) continue;
    for (const node of rule.nodes) {
      findings.push({
        page: label,
        rule: rule.id,
        impact,
        target: node.target.map(String).join(' '),
        summary: `${rule.help}. ${(node.failureSummary ?? '').replace(/\s+/g, ' ').trim()}`,
      });
    }
  }
  return findings;
}

/** One line per finding, for an assertion message a reader can act on. */
export function formatAxeFindings(findings: readonly AxeFinding[]): string {
  return findings.map((f) => `[${f.page}] ${f.rule} (${f.impact}) at ${f.target}: ${f.summary}`).join('\n');
}
