import { describe, expect, it } from 'vitest';
import { contrastRatio } from './console-keyboard.ts';

describe('contrastRatio', () => {
  it('gives the WCAG ratios for colours as getComputedStyle reports them', () => {
    expect(contrastRatio('rgb(0, 0, 0)', 'rgb(255, 255, 255)')).toBeCloseTo(21, 5);
    expect(contrastRatio('rgb(255, 255, 255)', 'rgb(0, 0, 0)')).toBeCloseTo(21, 5);
    expect(contrastRatio('rgb(118, 118, 118)', 'rgb(255, 255, 255)')).toBeCloseTo(4.54, 2);
    // The old light focus colour fails 1.4.11's 3:1 on white; the current one passes.
    expect(contrastRatio('rgb(255, 158, 27)', 'rgb(255, 255, 255)')).toBeLessThan(3);
    expect(contrastRatio('rgb(192, 86, 0)', 'rgba(255, 255, 255, 1)')).toBeGreaterThan(4.5);
  });

  it('refuses a colour it cannot read rather than guessing', () => {
    expect(() => contrastRatio('transparent', 'rgb(0, 0, 0)')).toThrow(/cannot read the colour/);
  });
});
