/**
 * The console's colour palette, measured pair by pair in both schemes. The end-to-end axe run measures the
 * colours that the pages it visits happen to show; this covers the ones it may not meet (a countdown about to
 * end, a denied statement, a failed chain check, the polling badge) and the focus outline.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli-harness.ts';
import { contrastRatio } from './support/console-keyboard.ts';

const css = readFileSync(join(REPO_ROOT, 'web/src/styles.css'), 'utf8');

/** The custom properties of the first `:root { … }` block after `from` in the stylesheet. */
function rootVariables(from: number): Map<string, string> {
  const start = css.indexOf(':root {', from);
  const body = css.slice(start, css.indexOf('}', start));
  return new Map([...body.matchAll(/--([a-z-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

function rgb(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}

const light = rootVariables(0);
const darkAt = css.indexOf('@media (prefers-color-scheme: dark)');
const schemes = { light, dark: new Map([...light, ...rootVariables(darkAt)]) };

/** [foreground, background, minimum ratio]: text needs 4.5:1 (WCAG 1.4.3), outlines and field borders 3:1 (1.4.11). */
const PAIRS: readonly (readonly [string, string, number])[] = [
  ...['fg', 'muted', 'accent', 'danger', 'ok', 'warn'].flatMap((fg) => [[fg, 'bg', 4.5] as const, [fg, 'panel', 4.5] as const]),
  ['accent-fg', 'accent', 4.5],
  ['danger-fg', 'danger', 4.5],
  ['focus', 'bg', 3],
  ['focus', 'panel', 3],
  ['muted', 'bg', 3],
];

describe('console palette contrast', () => {
  it('reads both palettes from styles.css', () => {
    expect(darkAt).toBeGreaterThan(0);
    for (const vars of Object.values(schemes)) for (const [fg, bg] of PAIRS) expect([vars.get(fg), vars.get(bg)]).toEqual([expect.stringMatching(/^#/), expect.stringMatching(/^#/)]);
  });

  for (const [scheme, vars] of Object.entries(schemes)) {
    it(`meets WCAG AA in the ${scheme} scheme`, () => {
      const failing = PAIRS.flatMap(([fg, bg, min]) => {
        const ratio = contrastRatio(rgb(vars.get(fg) ?? ''), rgb(vars.get(bg) ?? ''));
        return ratio >= min ? [] : [`--${fg} ${vars.get(fg)} on --${bg} ${vars.get(bg)}: ${ratio.toFixed(2)}:1, needs ${min}:1`];
      });
      expect(failing).toEqual([]);
    });
  }
});
