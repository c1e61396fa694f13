/**
 * Judges SQL the way the PostgreSQL gateway does, without a network: classify
 * the text, then decide every statement for one contractor, refusing the whole
 * text at the first refusal. The evasion and benign corpora run through it, so
 * each case states the outcome a real contractor would see.
 */
import type { AccessModel, Action, GuardrailRule, RoleInfo } from '../../access/access-model.ts';
import { buildAccessIndex, type AccessIndex } from '../../access/access-index.ts';
import { decideStatement } from '../../access/statement-access.ts';
import { classifySql } from '../classify-sql.ts';
import { maxClass, type StatementClass, type StatementInfo } from '../sql-types.ts';

/** The contractors the corpora are judged for. */
export type CorpusSubject = 'reader' | 'writer' | 'developer' | 'prod';

export const CORPUS_NOW = Date.parse('2026-12-01T00:00:00Z');

const SUBJECT_ACTIONS: Readonly<Record<CorpusSubject, readonly Action[]>> = {
  // A read-only contractor (an analyst).
  reader: ['read'],
  // An application contractor who changes data but not the schema.
  writer: ['read', 'write'],
  // A developer who may change the schema of a staging database.
  developer: ['read', 'write', 'ddl'],
  // Everything but unsafe, on a resource whose guardrail denies ddl, admin and unsafe and blocks careless writes.
  prod: ['read', 'write', 'ddl', 'admin'],
};

const PROD_GUARDRAIL: GuardrailRule = {
  resources: { names: ['db'] },
  deny: ['ddl', 'admin', 'unsafe'],
  requireApproval: [],
  block: ['delete_without_where', 'update_without_where', 'truncate'],
};

const email = (subject: CorpusSubject): string => `${subject}@vendor.example`;

/** The corpus's contractors, roles and guardrail; the gateway corpus test (test/postgres/gateway-corpus.test.ts) writes them out as a policy. */
export function corpusModel(): AccessModel {
  const subjects = Object.keys(SUBJECT_ACTIONS) as CorpusSubject[];
  const roles: RoleInfo[] = subjects.map((subject) => ({
    name: subject,
    grants: [{ resources: { names: [subject === 'prod' ? 'db' : 'staging'] }, actions: SUBJECT_ACTIONS[subject] }],
    denies: [],
    maxSessionMs: null,
  }));
  return {
    resources: [
      { name: 'staging', kind: 'postgres', labels: {} },
      { name: 'db', kind: 'postgres', labels: {} },
    ],
    roles,
    contractors: subjects.map((subject) => ({ email: email(subject), roles: [subject], untilAt: CORPUS_NOW + 86_400_000, status: 'active' as const })),
    grants: [],
    guardrails: [PROD_GUARDRAIL],
  };
}

let index: AccessIndex | undefined;

export type Verdict =
  | { readonly allow: true; readonly classes: readonly StatementClass[] }
  | {
      readonly allow: false;
      /** A decision reason code, or UNPARSEABLE / UNKNOWN_PREPARED for what the gateway refuses before deciding. */
      readonly reason: string;
      /** The refused statement's action, when it was classified. */
      readonly class?: StatementClass;
      readonly info?: StatementInfo;
      readonly message?: string;
    };

/**
 * The gateway's verdict on `sql` for `subject`. PREPAREs earlier in the text
 * are visible to later EXECUTEs, as in one simple-query message.
 */
export function judgeSql(sql: string, subject: CorpusSubject): Verdict {
  index ??= buildAccessIndex(corpusModel());
  const classified = classifySql(sql);
  if (!classified.ok) return { allow: false, reason: 'UNPARSEABLE', message: classified.error };
  const prepared = new Map<string, StatementInfo>();
  const classes: StatementClass[] = [];
  const resource = subject === 'prod' ? 'db' : 'staging';
  for (const info of classified.statements) {
    let action: Action = info.class;
    let shape: StatementInfo = info;
    if (info.executes !== undefined) {
      const runs = prepared.get(info.executes);
      if (runs === undefined) return { allow: false, reason: 'UNKNOWN_PREPARED', class: info.class, info };
      action = maxClass(action, runs.class);
      shape = {
        ...info,
        tablesRead: [...info.tablesRead, ...runs.tablesRead],
        tablesWritten: [...info.tablesWritten, ...runs.tablesWritten],
        ...(info.deleteWithoutWhere === true || runs.deleteWithoutWhere === true ? { deleteWithoutWhere: true } : {}),
        ...(info.updateWithoutWhere === true || runs.updateWithoutWhere === true ? { updateWithoutWhere: true } : {}),
        ...(info.truncates === true || runs.truncates === true ? { truncates: true } : {}),
        ...(runs.unsafeReasons === undefined ? {} : { unsafeReasons: runs.unsafeReasons }),
      };
    }
    const decision = decideStatement(index, { email: email(subject), tokenExpiresAt: null }, resource, action, shape, CORPUS_NOW);
    if (!decision.allow) return { allow: false, reason: decision.reason, class: action, info, message: decision.message };
    if (info.prepares !== undefined) prepared.set(info.prepares, info);
    classes.push(action);
  }
  return { allow: true, classes };
}
