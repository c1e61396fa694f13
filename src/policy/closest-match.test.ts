import { describe, expect, it } from 'vitest';
import { editDistance, findClosest } from './closest-match.ts';

describe('findClosest', () => {
  it.each([
    ['grnts', ['grants', 'deny', 'max_session'], 'grants'],
    ['max_sesion', ['grants', 'deny', 'max_session'], 'max_session'],
    ['raed', ['read', 'write', 'ddl', 'admin'], 'read'],
    ['Settings', ['version', 'settings'], 'settings'],
    ['delete', ['read', 'write', 'ddl', 'admin'], undefined],
    ['x', [], undefined],
    ['superuser', ['admin', 'approver', 'auditor'], undefined],
  ])('%s among %j → %s', (word, candidates, expected) => {
    expect(findClosest(word, candidates)).toBe(expected);
  });
});

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['ab', 'ba', 1],
    ['read', 'read', 0],
  ])('%s → %s = %i', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
    expect(editDistance(b, a)).toBe(expected);
  });
});
