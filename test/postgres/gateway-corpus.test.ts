import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { loadSqlParser, classifySql } from '../../src/sql/classify-sql.ts';
import { BENIGN_CORPUS, type BenignCase } from '../../src/sql/corpus/benign-corpus.ts';
import { judgeSql, type CorpusSubject } from '../../src/sql/corpus/corpus-judge.ts';
import { EVASION_CORPUS, type EvasionCase } from '../../src/sql/corpus/evasion-corpus.ts';
import { MASKING_LEAK_CORPUS } from '../../src/sql/corpus/masking-leak-corpus.ts';
import {
  CORPUS_SCHEMA,
  CORPUS_VARIANTS,
  CorpusSessions,
  DEVELOPER_OBJECTS_RESET,
  MASKED_LOGIN,
  corpusLogin,
  corpusPolicyYaml,
  fingerprint,
  type CorpusLogin,
  type CorpusVariant,
  type GatewayOutcome,
} from '../support/corpus-gateway-kit.ts';
import { startGatewayHarness, type GatewayHarness } from '../support/gateway-harness.ts';

/**
 * Every case of the evasion, benign and masking-leak corpora (src/sql/corpus)
 * through a real gateway in front of a real PostgreSQL, for the corpus's own
 * contractors: as a simple query, and through the extended protocol as the
 * unnamed statement and as a named prepared statement. Texts of more than one
 * statement are simple-query only: the extended protocol carries one
 * statement per Parse (their extended variants are listed as skipped below).
 *
 * A refusal must carry the corpus's reason, be recorded as STATEMENT_DENIED
 * with nothing recorded as allowed (so nothing was forwarded), and leave the
 * database's fingerprint unchanged. A benign case must be forwarded (a
 * STATEMENT_ALLOWED per statement, with the corpus's classes) and never refused.
 */

// Case lists are built at collection time: multi-statement texts are found by the real parser.
await loadSqlParser();

let harness: GatewayHarness;
let sessions: CorpusSessions;
let notifications = 0;
let listener: pg.Client;

const SUBJECTS: readonly CorpusSubject[] = ['reader', 'writer', 'developer', 'prod'];
const logins = new Map<CorpusSubject, CorpusLogin>(SUBJECTS.map((subject) => [subject, corpusLogin(subject)]));
const loginOf = (subject: CorpusSubject): CorpusLogin => logins.get(subject)!;

/**
 * The SQLSTATE and audit reason the gateway uses for a corpus reason: access decisions are 42501 naming
 * the reason; text it cannot parse and EXECUTE of an unknown name get PostgreSQL's own codes (42601,
 * 26000) so drivers react as usual, and only the STATEMENT_DENIED record shows the gateway answered.
 */
function expectedRefusal(reason: string): { sqlstate: string; auditReason: string } {
  if (reason === 'UNPARSEABLE') return { sqlstate: '42601', auditReason: 'DENY_UNPARSEABLE_SQL' };
  if (reason === 'UNKNOWN_PREPARED') return { sqlstate: '26000', auditReason: 'DENY_UNKNOWN_PREPARED_STATEMENT' };
  return { sqlstate: '42501', auditReason: reason };
}

function statementCount(sql: string): number {
  const classified = classifySql(sql);
  return classified.ok ? classified.statements.length : 1;
}

/** What the gateway was seen to do with a case whose outcome differs from the corpus's verdict. */
type Observed =
  | { readonly refused: true; readonly sqlstate: string; readonly severity: 'ERROR' | 'FATAL'; readonly auditReason: string | null }
  | { readonly refused: false; readonly forwarded: string };

/**
 * Evasion cases whose gateway outcome differs from the corpus's in-process
 * verdict, excluded from the corpus assertion for a decision on each. They
 * still run, named "[excluded: ...]", pinned to what the gateway does today,
 * and with the same proof that nothing the case aimed at happened.
 * Key: `${variant} ${subject} ${sql}`.
 */
interface Divergence {
  readonly why: string;
  readonly observed: Observed;
}
const KNOWN_DIVERGENCES: ReadonlyMap<string, Divergence> = new Map<string, Divergence>([
  // The reader's session runs read-only in PostgreSQL (docs/guardrails.md), and the gateway refuses a batch
  // that goes on after COMMIT before deciding its statements: a refusal, for another reason.
  [
    'simple reader COMMIT; BEGIN READ WRITE; DELETE FROM t WHERE id = 1',
    {
      why: 'refused as DENY_READ_ONLY_SESSION (statements after COMMIT in a read-only session), not DENY_NO_GRANT',
      observed: { refused: true, sqlstate: '42501', severity: 'ERROR', auditReason: 'DENY_READ_ONLY_SESSION' },
    },
  ],
  // A NUL cannot travel inside the protocol's C strings: node-postgres writes it, the message ends early
  // with bytes left over, and the gateway ends the session as a protocol violation (no statement record).
  ...CORPUS_VARIANTS.map((variant): [string, Divergence] => [
    `${variant} reader SELECT 1\u0000; DROP TABLE t`,
    {
      why: 'the NUL breaks the wire message: FATAL 08P01 protocol violation ends the session, no UNPARSEABLE refusal',
      observed: { refused: true, sqlstate: '08P01', severity: 'FATAL', auditReason: null },
    },
  ]),
  // A lone surrogate has no UTF-8 form: node-postgres sends U+FFFD in its place, and the gateway judges (and
  // forwards) the harmless SELECT '\uFFFD' it receives. The in-process judge sees the surrogate itself.
  ...CORPUS_VARIANTS.map((variant): [string, Divergence] => [
    `${variant} reader SELECT '\ud800'`,
    { why: 'the client encodes the surrogate as U+FFFD, so the gateway receives and allows SELECT \'\uFFFD\'', observed: { refused: false, forwarded: "SELECT '\uFFFD'" } },
  ]),
]);

const caseKey = (variant: CorpusVariant, subject: string, sql: string): string => `${variant} ${subject} ${sql}`;
const label = (sql: string): string => sql.replace(/\s+/g, ' ');

beforeAll(async () => {
  harness = await startGatewayHarness({ policy: corpusPolicyYaml });
  await harness.direct(CORPUS_SCHEMA);
  sessions = new CorpusSessions(harness);
  // A NOTIFY that got through would reach this listener.
  listener = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:5432/${harness.database}` });
  await listener.connect();
  listener.on('notification', () => {
    notifications += 1;
  });
  await listener.query('LISTEN ch');
}, 60_000);

afterAll(async () => {
  await sessions?.closeAll();
  await listener?.end();
  await harness?.close();
});

/** What a refused case must show: the reason, the audit record, nothing forwarded. */
function expectRefused(outcome: GatewayOutcome, reason: string): void {
  const { sqlstate, auditReason } = expectedRefusal(reason);
  expect(outcome.allowed.map((event) => event.data.text), 'nothing may be forwarded').toEqual([]);
  expect(outcome.denied.map((event) => event.data.reason)).toEqual([auditReason]);
  expect(outcome.error?.code).toBe(sqlstate);
  if (sqlstate === '42501') expect(outcome.error?.message).toContain(`(${reason})`);
}

describe.each(CORPUS_VARIANTS)('evasion corpus through the gateway (%s)', (variant) => {
  let before: string;
  beforeAll(async () => {
    before = await fingerprint(harness);
  });

  for (const testCase of EVASION_CORPUS) {
    const name = `${testCase.as}: ${label(testCase.sql)}`;
    if (variant !== 'simple' && statementCount(testCase.sql) > 1) {
      it.skip(`${name} (several statements: simple query only)`, () => undefined);
      continue;
    }
    const divergence = KNOWN_DIVERGENCES.get(caseKey(variant, testCase.as, testCase.sql));
    if (divergence === undefined) {
      it(name, () => runEvasion(testCase, variant, before));
    } else {
      it(`${name} [excluded: ${divergence.why}]`, () => runDivergent(testCase, variant, divergence.observed, before));
    }
  }

  it('left the database as it was and sent no notification', async () => {
    expect(await fingerprint(harness)).toBe(before);
    expect(notifications).toBe(0);
  });
});

async function runEvasion(testCase: EvasionCase, variant: CorpusVariant, before: string): Promise<void> {
  expect(judgeSql(testCase.sql, testCase.as), 'the in-process verdict').toMatchObject({ allow: false, reason: testCase.reason });
  const outcome = await sessions.run(loginOf(testCase.as), testCase.sql, variant);
  expectRefused(outcome, testCase.reason);
  if (testCase.class !== undefined) expect(outcome.denied[0]?.data.class).toBe(testCase.class);
  expect(await fingerprint(harness), 'the database is unchanged').toBe(before);
}

async function runDivergent(testCase: EvasionCase, variant: CorpusVariant, observed: Observed, before: string): Promise<void> {
  expect(judgeSql(testCase.sql, testCase.as), 'the in-process verdict').toMatchObject({ allow: false, reason: testCase.reason });
  const outcome = await sessions.run(loginOf(testCase.as), testCase.sql, variant);
  if (observed.refused) {
    expect(outcome.allowed, 'nothing may be forwarded').toEqual([]);
    expect(outcome.error).toMatchObject({ code: observed.sqlstate, severity: observed.severity });
    expect(outcome.denied.map((event) => event.data.reason)).toEqual(observed.auditReason === null ? [] : [observed.auditReason]);
  } else {
    expect(outcome.error).toBeUndefined();
    expect(outcome.allowed.map((event) => event.data.text)).toEqual([observed.forwarded]);
  }
  expect(await fingerprint(harness), 'the database is unchanged').toBe(before);
}

/**
 * Benign cases allowed by the gateway that PostgreSQL itself cannot complete
 * here, with the SQLSTATE it answers and why. Key: `${variant} ${subject} ${sql}`.
 */
interface CannotRun {
  readonly sqlstate: string;
  readonly why: string;
}
const CANNOT_RUN: ReadonlyMap<string, CannotRun> = new Map<string, CannotRun>([
  ...CORPUS_VARIANTS.flatMap((variant): [string, CannotRun][] => [
    [
      `${variant} writer COPY staging_orders FROM STDIN WITH (FORMAT csv)`,
      { sqlstate: '57014', why: 'node-postgres has no data to send and answers CopyInResponse with CopyFail' },
    ],
    [`${variant} writer LOCK TABLE jobs IN SHARE ROW EXCLUSIVE MODE`, { sqlstate: '25P01', why: 'LOCK TABLE outside a transaction block' }],
  ]),
  [
    'simple reader SAVEPOINT a; SELECT 1; ROLLBACK TO SAVEPOINT a; RELEASE a',
    { sqlstate: '25P01', why: 'PostgreSQL 15 refuses SAVEPOINT in the implicit transaction of a multi-statement query' },
  ],
]);

/**
 * Benign texts node-postgres cannot send through the extended protocol at
 * all, whatever sits in between (reproduced against PostgreSQL directly).
 */
const EXTENDED_UNSENDABLE: ReadonlyMap<string, string> = new Map([
  [
    'COPY staging_orders FROM STDIN WITH (FORMAT csv)',
    'node-postgres sends Sync with Execute; PostgreSQL ignores it during copy-in, so after the CopyFail the session waits for a Sync that never comes',
  ],
]);

describe.each(CORPUS_VARIANTS)('benign corpus through the gateway (%s)', (variant) => {
  beforeAll(async () => {
    // Each pass starts from fresh sessions (no cursors, temporary tables or prepared statements) and no developer objects.
    await sessions.closeAll();
    await harness.direct(DEVELOPER_OBJECTS_RESET);
  });

  for (const testCase of BENIGN_CORPUS) {
    const name = `${testCase.as}: ${label(testCase.sql)}`;
    if (variant !== 'simple' && statementCount(testCase.sql) > 1) {
      it.skip(`${name} (several statements: simple query only)`, () => undefined);
      continue;
    }
    const unsendable = variant === 'simple' ? undefined : EXTENDED_UNSENDABLE.get(testCase.sql);
    if (unsendable !== undefined) {
      it.skip(`${name} (simple query only: ${unsendable})`, () => undefined);
      continue;
    }
    const key = caseKey(variant, testCase.as, testCase.sql);
    const cannot = CANNOT_RUN.get(key);
    const note = cannot === undefined ? '' : ` [allowed; fails in PostgreSQL: ${cannot.why}]`;
    it(`${name}${note}`, () => runBenign(testCase, variant, cannot?.sqlstate));
  }
});

async function runBenign(testCase: BenignCase, variant: CorpusVariant, failsWith: string | undefined): Promise<void> {
  expect(judgeSql(testCase.sql, testCase.as), 'the in-process verdict').toEqual({ allow: true, classes: testCase.classes });
  const login = loginOf(testCase.as);
  const outcome = await sessions.run(login, testCase.sql, variant);
  expect(outcome.denied.map((event) => `${String(event.data.reason)}: ${String(event.data.message)}`), 'the gateway refused nothing').toEqual([]);
  // Forwarded, every statement of it, judged as the corpus classes it (Parse/Bind/Execute is recorded once, at Execute).
  if (variant === 'simple') {
    expect(outcome.allowed.map((event) => event.data.class)).toEqual(testCase.classes);
  } else {
    expect(outcome.allowed.map((event) => [event.data.text, event.data.class])).toEqual([[testCase.sql, testCase.classes[0]]]);
  }
  if (failsWith === undefined) {
    expect(outcome.error, 'PostgreSQL ran it').toBeUndefined();
  } else {
    expect(outcome.error?.code).toBe(failsWith);
    await sessions.rollback(login);
  }
}

describe.each(CORPUS_VARIANTS)('masking leak corpus through the gateway (%s)', (variant) => {
  let before: string;
  beforeAll(async () => {
    before = await fingerprint(harness);
  });

  for (const entry of MASKING_LEAK_CORPUS) {
    if (entry.refused === undefined) continue;
    const refused = entry.refused;
    it(`refuses ${entry.path}: ${label(entry.sql)}`, async () => {
      const outcome = await sessions.run(MASKED_LOGIN, entry.sql, variant);
      expectRefused(outcome, 'DENY_MASKED_COLUMN');
      // The refusal names the masked column (or row) the path leaks, as the corpus says.
      expect(outcome.error?.hint).toContain(refused);
      expect(await fingerprint(harness), 'the database is unchanged').toBe(before);
    });
  }
});
