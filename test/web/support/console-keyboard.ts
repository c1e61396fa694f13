/**
 * Keyboard checks for the console's end-to-end test: a control counts as reachable only when Tab
 * presses from where focus is now land on it, and only when the focused control is visibly marked
 * (an outline or a ring), so a keyboard user can see where they are.
 */
import type { Locator, Page } from 'playwright-core';

/**
 * The little of the browser's DOM these checks touch, typed here because the server-side compilation this
 * file belongs to has no DOM library (the functions below run in the page, not in Node).
 */
interface PageElement {
  readonly tagName: string;
  readonly innerText?: string;
  readonly parentElement: PageElement | null;
  getAttribute(name: string): string | null;
  matches(selector: string): boolean;
}
interface PageWindow {
  readonly document: { readonly activeElement: PageElement | null; readonly body: PageElement };
  getComputedStyle(element: PageElement): {
    readonly outlineStyle: string;
    readonly outlineWidth: string;
    readonly outlineColor: string;
    readonly boxShadow: string;
    readonly backgroundColor: string;
  };
}

/** Role and name of whatever has focus, for a failure message that shows the path Tab took. */
async function describeFocus(page: Page): Promise<string> {
  return page.evaluate(() => {
    const { document } = globalThis as unknown as PageWindow;
    const el = document.activeElement;
    if (el === null || el === document.body) return '(page)';
    const name = (el.getAttribute('aria-label') ?? el.innerText ?? '').replace(/\s+/g, ' ').trim().slice(0, 40);
    return `${el.tagName.toLowerCase()}${name === '' ? '' : ` "${name}"`}`;
  });
}

/** WCAG relative luminance of an `rgb(…)`/`rgba(…)` colour as getComputedStyle reports it. */
function luminance(colour: string): number {
  const channels = (colour.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
  if (channels.length !== 3) throw new Error(`cannot read the colour ${colour}`);
  const [r, g, b] = channels.map((c) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The contrast ratio of two colours, 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * Whether the focused element shows a focus indicator: an outline at least 2 px wide whose colour has at
 * least 3:1 contrast with the background it is drawn on (WCAG 1.4.11), or a ring. axe checks neither.
 */
async function focusVisible(target: Locator): Promise<string | null> {
  const style = await target.evaluate((el: PageElement) => {
    const win = globalThis as unknown as PageWindow;
    const own = win.getComputedStyle(el);
    // The outline sits outside the element (outline-offset), so it is seen against the nearest ancestor's background.
    let behind = 'rgb(255, 255, 255)';
    for (let at = el.parentElement; at !== null; at = at.parentElement) {
      const bg = win.getComputedStyle(at).backgroundColor;
      if (bg !== 'transparent' && !/^rgba\(.*,\s*0\)$/.test(bg)) {
        behind = bg;
        break;
      }
    }
    return { focusVisible: el.matches(':focus-visible'), outlineStyle: own.outlineStyle, outlineWidth: own.outlineWidth, outlineColor: own.outlineColor, boxShadow: own.boxShadow, behind };
  });
  if (!style.focusVisible) return 'focused but not :focus-visible';
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  const ring = style.boxShadow !== 'none' && style.boxShadow !== '';
  if (!outline && !ring) return `no visible focus indicator (outline ${style.outlineStyle} ${style.outlineWidth}, box-shadow ${style.boxShadow})`;
  if (outline) {
    const ratio = contrastRatio(style.outlineColor, style.behind);
    if (ratio < 3) return `the focus outline ${style.outlineColor} has only ${ratio.toFixed(2)}:1 contrast with ${style.behind} behind it (WCAG 1.4.11 needs 3:1)`;
  }
  return null;
}

/**
 * Presses Tab (up to `maxPresses` times) until `target` has focus; throws with the path taken when it never
 * does, or when the target shows no focus indicator. Returns the number of presses.
 */
export async function tabTo(page: Page, target: Locator, what: string, maxPresses = 40): Promise<number> {
  const path: string[] = [await describeFocus(page)];
  for (let presses = 1; presses <= maxPresses; presses++) {
    await page.keyboard.press('Tab');
    if (await hasFocus(target)) {
      const problem = await focusVisible(target);
      if (problem !== null) throw new Error(`${what}: reached with Tab, but ${problem}`);
      return presses;
    }
    path.push(await describeFocus(page));
  }
  throw new Error(`${what}: not reached with ${maxPresses} Tab presses; focus went from ${path.join(' → ')}`);
}

/** Whether `target` is the focused element now. */
export async function hasFocus(target: Locator): Promise<boolean> {
  return target.evaluate((el: PageElement) => el === (globalThis as unknown as PageWindow).document.activeElement);
}
