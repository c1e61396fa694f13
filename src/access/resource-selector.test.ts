import { describe, expect, it } from 'vitest';
import type { ResourceInfo, ResourceSelector } from './access-model.ts';
import { selectResources, selectorMatches } from './resource-selector.ts';

const demo: ResourceInfo = { name: 'demo', kind: 'postgres', labels: { env: 'dev', team: 'data' } };

const CASES: readonly (readonly [string, ResourceSelector, boolean])[] = [
  ['name listed', { names: ['other', 'demo'] }, true],
  ['name not listed', { names: ['other'] }, false],
  ['one label equal', { labels: { env: 'dev' } }, true],
  ['all labels equal', { labels: { env: 'dev', team: 'data' } }, true],
  ['one label differs', { labels: { env: 'dev', team: 'bi' } }, false],
  ['label missing on the resource', { labels: { env: 'dev', tier: 'gold' } }, false],
  ['label value case matters', { labels: { env: 'Dev' } }, false],
  ['names OR labels: labels match', { names: ['other'], labels: { env: 'dev' } }, true],
  ['names OR labels: name matches', { names: ['demo'], labels: { env: 'prod' } }, true],
  ['names OR labels: neither', { names: ['other'], labels: { env: 'prod' } }, false],
  ['empty selector selects nothing', {}, false],
  ['empty names and labels select nothing', { names: [], labels: {} }, false],
  ['inherited properties are not labels', { labels: { toString: 'x' } }, false],
];

describe('selectorMatches', () => {
  it.each(CASES)('%s', (_name, selector, expected) => {
    expect(selectorMatches(selector, demo)).toBe(expected);
  });

  it('selectResources keeps the given order', () => {
    const reporting: ResourceInfo = { name: 'reporting', kind: 'postgres', labels: { env: 'dev' } };
    const prod: ResourceInfo = { name: 'prod', kind: 'postgres', labels: { env: 'prod' } };
    expect(selectResources({ labels: { env: 'dev' } }, [reporting, prod, demo]).map((r) => r.name)).toEqual(['reporting', 'demo']);
  });
});
