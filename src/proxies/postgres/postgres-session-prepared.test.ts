import { describe, expect, it } from 'vitest';
import type { StatementClass } from '../../sql/sql-types.ts';
import { NameTracker } from './postgres-session-prepared.ts';

const value = (cls: StatementClass, text: string): { class: StatementClass; text: string } => ({ class: cls, text });

describe('NameTracker', () => {
  it('gives a name its meaning only once the upstream confirms it', () => {
    const names = new NameTracker<{ class: StatementClass; text: string }>();
    const first = names.propose('p', value('write', 'DELETE'));
    expect(names.lookup('p')).toMatchObject({ text: 'DELETE' });
    names.commit(first);
    expect(names.size).toBe(1);
    // A later PREPARE of the same name (a simple Query, which ends the certain segment) fails upstream
    // ("already exists"): the name keeps meaning DELETE.
    const second = names.propose('p', value('read', 'SELECT'));
    names.endSegment();
    expect(names.lookup('p')).toMatchObject({ class: 'write' });
    names.abandon(second);
    expect(names.lookup('p')).toMatchObject({ text: 'DELETE' });
  });

  it('looks up the most privileged of the confirmed and pending meanings, newest first on ties', () => {
    const names = new NameTracker<{ class: StatementClass; text: string }>();
    names.commit(names.propose('', value('read', 'SELECT 1')));
    names.propose('', value('read', 'SELECT 2'));
    names.endSegment();
    expect(names.lookup('')).toMatchObject({ text: 'SELECT 2' });
    const ddl = names.propose('', value('ddl', 'CREATE TABLE t ()'));
    names.endSegment();
    expect(names.lookup('')).toMatchObject({ class: 'ddl' });
    names.abandon(ddl);
    expect(names.lookup('')).toMatchObject({ text: 'SELECT 2' });
  });

  it('takes a proposal made since the last Sync as certain: a Bind after it runs only if that Parse succeeded', () => {
    const names = new NameTracker<{ class: StatementClass; text: string }>();
    names.commit(names.propose('', value('unsafe', 'DO $$ ... $$')));
    names.endSegment();
    // Parse '' (DROP VIEW), Bind '' in one segment: the Bind can bind only the DROP VIEW.
    const drop = names.propose('', value('ddl', 'DROP VIEW v'));
    expect(names.lookup('')).toMatchObject({ text: 'DROP VIEW v' });
    // After the Sync, until the server answers, either meaning may be in force: the more privileged counts.
    names.endSegment();
    expect(names.lookup('')).toMatchObject({ class: 'unsafe' });
    names.commit(drop);
    expect(names.lookup('')).toMatchObject({ text: 'DROP VIEW v' });
  });

  it('forgets names only when removal is confirmed, and settles a handle once', () => {
    const names = new NameTracker<{ class: StatementClass; text: string }>();
    const handle = names.propose('s', value('admin', 'SET ROLE x'));
    names.commit(handle);
    names.abandon(handle);
    expect(names.lookup('s')).toMatchObject({ class: 'admin' });
    names.remove('s');
    expect(names.lookup('s')).toBeUndefined();
    names.commit(names.propose('a', value('read', 'x')));
    names.commit(names.propose('b', value('read', 'y')));
    names.clear();
    expect(names.size).toBe(0);
  });
});
