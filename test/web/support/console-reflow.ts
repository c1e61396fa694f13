/**
 * WCAG 1.4.10 Reflow, measured: at 320 CSS pixels wide (a 1280 px screen at 400 % zoom) a page must not
 * scroll sideways as a whole. Data tables may scroll inside their own box (the criterion's exception), which
 * is what the console's Table does. axe does not check this.
 */
import type { Page } from 'playwright-core';

export const REFLOW_WIDTH = 320;

interface LayoutWindow {
  readonly document: {
    readonly documentElement: { readonly scrollWidth: number; readonly clientWidth: number };
    querySelectorAll(selector: string): Iterable<LayoutElement>;
  };
  getComputedStyle(element: LayoutElement): { readonly overflowX: string };
}
interface LayoutElement {
  readonly tagName: string;
  readonly className: unknown;
  readonly parentElement: LayoutElement | null;
  readonly scrollWidth: number;
  getBoundingClientRect(): { readonly left: number; readonly width: number };
}

/**
 * Narrows the viewport to 320 px, and returns null when the page fits, or a description of the overflow with
 * the widest elements that stick out; the viewport is restored either way.
 */
export async function reflowProblem(page: Page): Promise<string | null> {
  const before = page.viewportSize();
  try {
    await page.setViewportSize({ width: REFLOW_WIDTH, height: 640 });
    return await page.evaluate((width: number) => {
      const win = globalThis as unknown as LayoutWindow;
      const root = win.document.documentElement;
      if (root.scrollWidth <= root.clientWidth) return null;
      // What sticks out inside a box that scrolls or clips is not the culprit; the outermost element that
      // sticks out of the page is.
      const clipped = (el: LayoutElement): boolean => {
        for (let at = el.parentElement; at !== null; at = at.parentElement) if (win.getComputedStyle(at).overflowX !== 'visible') return true;
        return false;
      };
      const culprits: string[] = [];
      for (const el of win.document.querySelectorAll('main *, header *')) {
        // scrollWidth counts text that runs out of its box (a long unbroken word), which the box's own rect does
        // not; a box that scrolls or clips keeps its content inside.
        const box = el.getBoundingClientRect();
        const scrolls = win.getComputedStyle(el).overflowX !== 'visible';
        const right = Math.round(box.left + (scrolls ? box.width : Math.max(box.width, el.scrollWidth)));
        if (right > width + 1 && culprits.length < 5 && !clipped(el)) culprits.push(`${el.tagName.toLowerCase()}${typeof el.className === 'string' && el.className !== '' ? `.${el.className.split(' ').join('.')}` : ''} ends at ${right}px`);
      }
      return `the page is ${root.scrollWidth}px wide at ${width}px (${culprits.join('; ')})`;
    }, REFLOW_WIDTH);
  } finally {
    if (before !== null) await page.setViewportSize(before);
  }
}
