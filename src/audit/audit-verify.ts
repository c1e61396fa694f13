import { createPublicKey, type KeyObject } from 'node:crypto';
import { StintError } from '../errors/stint-error.ts';
import type { AuditCheckpointsTable } from '../store/database-schema.ts';
import { GENESIS_HASH, type Store } from '../store/store.ts';
import { computeEventHash } from './audit-chain.ts';
import { checkpointRowsAscending, eventRowsAscending } from './audit-pages.ts';
import { parseData, type AuditEventRow } from './audit-row.ts';
import { keyIdOf, verifyCheckpointSignature } from './audit-signing-key.ts';

export { formatVerifyReport } from './audit-verify-format.ts';

export type VerifyProblemKind = 'altered' | 'missing' | 'reordered' | 'truncated' | 'checkpoint-mismatch' | 'bad-signature' | 'untrusted-key';

export interface VerifyProblem {
  /** The lowest seq the problem makes untrustworthy. */
  seq: number;
  kind: VerifyProblemKind;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Events read and checked. */
  events: number;
  lastSeq: number;
  checkpoints: number;
  /** Highest checkpoint whose signature (and key, with trusted keys) checked out. */
  lastCheckpointSeq: number | null;
  firstBadSeq: number | null;
  problems: VerifyProblem[];
  /** Problems found beyond the ones listed (the list is capped to keep memory bounded). */
  omittedProblems: number;
  keys: 'trusted' | 'stored';
}

export interface VerifyOptions {
  /** SPKI PEM public keys checkpoints must be signed with; without them each checkpoint's stored key is used. */
  readonly trustedKeys?: readonly string[];
  readonly pageSize?: number;
  readonly maxProblems?: number;
}

const DEFAULT_PAGE_SIZE = 2000;
const DEFAULT_MAX_PROBLEMS = 1000;

/**
 * Checks the whole audit log: every event's hash, every link of the chain, the
 * seq sequence, the head row, and every checkpoint's signature and hash.
 * Reads only, in pages, so it runs against a live store (events appended while
 * it runs are left for the next run) or an offline copy.
 */
export async function verifyAuditLog(store: Store, options: VerifyOptions = {}): Promise<VerifyReport> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new StintError('STINT_ERR_BAD_REQUEST', `pageSize must be a positive integer, not ${pageSize}.`);
  const problems = new ProblemList(options.maxProblems ?? DEFAULT_MAX_PROBLEMS);
  const signatures = new CheckpointChecker(options.trustedKeys);

  // Only events up to the head read now are checked: later ones may still be arriving.
  const head = await readHead(store);
  if (head === undefined) problems.add({ seq: 1, kind: 'truncated', message: 'The audit_head row is missing.' });
  const headSeq = head?.seq ?? Number.MAX_SAFE_INTEGER;

  const checkpoints = peekable(checkpointRowsAscending(store, pageSize));
  let checkpointCount = 0;
  let lastCheckpointSeq: number | null = null;
  /** Seq of the last valid checkpoint already compared with the chain: a mismatch after it makes everything after it suspect. */
  let lastComparedCheckpoint = 0;
  const checkCheckpoint = (cp: AuditCheckpointsTable): boolean => {
    checkpointCount += 1;
    const problem = signatures.check(cp);
    if (problem !== undefined) {
      problems.add(problem);
      return false;
    }
    lastCheckpointSeq = Math.max(lastCheckpointSeq ?? 0, cp.seq);
    return true;
  };

  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let lastSeq = 0;
  let events = 0;
  for await (const row of eventRowsAscending(store, { maxSeq: headSeq }, pageSize)) {
    // Checkpoints at seqs with no event: their events are in a gap, reported as missing below.
    for (let cp = await checkpoints.peek(); cp !== undefined && cp.seq < row.seq; cp = await checkpoints.peek()) {
      checkCheckpoint(cp);
      await checkpoints.next();
    }
    const gap = row.seq > expectedSeq;
    if (gap) {
      const range = row.seq - 1 === expectedSeq ? `seq ${expectedSeq} is` : `seqs ${expectedSeq}–${row.seq - 1} are`;
      problems.add({ seq: expectedSeq, kind: 'missing', message: `Events deleted: ${range} missing.` });
    }
    checkEvent(row, gap ? undefined : prevHash, problems);

    const cp = await checkpoints.peek();
    if (cp !== undefined && cp.seq === row.seq) {
      await checkpoints.next();
      if (checkCheckpoint(cp)) {
        if (cp.hash !== row.hash) {
          problems.add({
            seq: lastComparedCheckpoint + 1,
            kind: 'checkpoint-mismatch',
            message: `The chain at seq ${cp.seq} does not match the checkpoint signed there: an event after seq ${lastComparedCheckpoint} was rewritten and the hashes after it recomputed.`,
          });
        }
        lastComparedCheckpoint = cp.seq;
      }
    }
    expectedSeq = row.seq + 1;
    prevHash = row.hash;
    lastSeq = row.seq;
    events += 1;
  }

  // Checkpoints beyond the last event read.
  let highestValidBeyond = 0;
  for (let cp = await checkpoints.next(); cp !== undefined; cp = await checkpoints.next()) {
    if (checkCheckpoint(cp)) highestValidBeyond = Math.max(highestValidBeyond, cp.seq);
  }
  await checkTail(store, { head, lastSeq, lastHash: prevHash, highestValidBeyond }, problems);

  const list = problems.sorted();
  return {
    ok: list.length === 0,
    events,
    lastSeq,
    checkpoints: checkpointCount,
    lastCheckpointSeq,
    firstBadSeq: problems.firstSeq,
    problems: list,
    omittedProblems: problems.omitted,
    keys: options.trustedKeys === undefined ? 'stored' : 'trusted',
  };
}

/** One event against its own hash and (unless it follows a gap) against its predecessor. */
function checkEvent(row: AuditEventRow, expectedPrev: string | undefined, problems: ProblemList): void {
  const recomputed = computeEventHash(row.prev_hash, {
    seq: row.seq,
    ts: row.ts,
    code: row.code,
    outcome: row.outcome,
    actor: row.actor,
    resource: row.resource,
    subject: row.subject,
    summary: row.summary,
    data: parseData(row.data),
  });
  const selfOk = recomputed === row.hash;
  const linkOk = expectedPrev === undefined || row.prev_hash === expectedPrev;
  if (selfOk && linkOk) return;
  if (!selfOk && linkOk) {
    problems.add({ seq: row.seq, kind: 'altered', message: `Event ${row.seq} was edited: its stored hash does not match its contents.` });
  } else if (!selfOk) {
    problems.add({
      seq: row.seq,
      kind: 'reordered',
      message: `Event ${row.seq} does not belong here: neither its hash nor its link to seq ${row.seq - 1} fits (rows moved or swapped).`,
    });
  } else {
    problems.add({
      seq: row.seq,
      kind: 'reordered',
      message: `Event ${row.seq} does not follow seq ${row.seq - 1}: its prev_hash differs (rows reordered, or seq ${row.seq - 1} rewritten with a recomputed hash).`,
    });
  }
}

interface TailState {
  readonly head: { seq: number; hash: string } | undefined;
  readonly lastSeq: number;
  readonly lastHash: string;
  readonly highestValidBeyond: number;
}

/** The end of the log against the head row and the checkpoints: what a truncation leaves behind. */
async function checkTail(store: Store, tail: TailState, problems: ProblemList): Promise<void> {
  const { head, lastSeq, lastHash, highestValidBeyond } = tail;
  // Read the maximum first, then the head again: a commit writes both together,
  // so a legitimate head is never below the maximum read before it.
  const maxRow = await store.db.selectFrom('audit_events').select((eb) => eb.fn.max('seq').as('max')).executeTakeFirst();
  const maxSeq = Number(maxRow?.max ?? 0);
  const now = await readHead(store);
  const nowSeq = now?.seq ?? 0;

  const reasons: string[] = [];
  if (head !== undefined && lastSeq < head.seq) reasons.push(`the head row is at seq ${head.seq}`);
  // A valid checkpoint past the events read is fine only if it belongs to events appended while verifying.
  if (highestValidBeyond > 0 && (highestValidBeyond <= (head?.seq ?? 0) || highestValidBeyond > nowSeq)) {
    reasons.push(`a checkpoint was signed at seq ${highestValidBeyond}`);
  }
  if (reasons.length > 0) {
    problems.add({ seq: lastSeq + 1, kind: 'truncated', message: `The events end at seq ${lastSeq} but ${reasons.join(' and ')}: the tail was deleted.` });
  }
  if (head !== undefined && lastSeq === head.seq && head.hash !== lastHash) {
    problems.add({ seq: lastSeq, kind: 'altered', message: `The head row's hash differs from the hash of event ${lastSeq}.` });
  }
  if (now !== undefined && maxSeq > nowSeq) {
    problems.add({ seq: nowSeq + 1, kind: 'truncated', message: `Events run to seq ${maxSeq} but the head row says ${nowSeq}: the head was rolled back.` });
  }
}

async function readHead(store: Store): Promise<{ seq: number; hash: string } | undefined> {
  return store.db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
}

/** Checks checkpoint signatures, against trusted keys when given, else against each checkpoint's stored key. */
class CheckpointChecker {
  readonly #trusted: Map<string, KeyObject> | undefined;
  readonly #parsed = new Map<string, { keyId: string; key: KeyObject } | null>();

  constructor(trustedKeys: readonly string[] | undefined) {
    if (trustedKeys === undefined) return;
    this.#trusted = new Map();
    trustedKeys.forEach((pem, index) => {
      const parsed = this.#parse(pem);
      if (parsed === null) throw new StintError('STINT_ERR_BAD_REQUEST', `Trusted key ${index + 1} is not an SPKI PEM public key.`);
      this.#trusted?.set(parsed.keyId, parsed.key);
    });
  }

  check(cp: AuditCheckpointsTable): VerifyProblem | undefined {
    const stored = this.#parse(cp.public_key);
    if (this.#trusted !== undefined) {
      const trusted = stored === null ? undefined : this.#trusted.get(stored.keyId);
      if (trusted === undefined) {
        return { seq: cp.seq, kind: 'untrusted-key', message: `The checkpoint at seq ${cp.seq} is signed by key ${cp.key_id}, which is not a trusted key.` };
      }
      return this.#verify(cp, trusted);
    }
    if (stored === null) return { seq: cp.seq, kind: 'bad-signature', message: `The checkpoint at seq ${cp.seq} carries an unreadable public key.` };
    if (stored.keyId !== cp.key_id) {
      return { seq: cp.seq, kind: 'bad-signature', message: `The checkpoint at seq ${cp.seq} names key ${cp.key_id} but carries key ${stored.keyId}.` };
    }
    return this.#verify(cp, stored.key);
  }

  #verify(cp: AuditCheckpointsTable, key: KeyObject): VerifyProblem | undefined {
    if (verifyCheckpointSignature(key, cp, cp.signature)) return undefined;
    return { seq: cp.seq, kind: 'bad-signature', message: `The signature of the checkpoint at seq ${cp.seq} does not verify: it was forged or edited.` };
  }

  #parse(pem: string): { keyId: string; key: KeyObject } | null {
    const cached = this.#parsed.get(pem);
    if (cached !== undefined) return cached;
    let parsed: { keyId: string; key: KeyObject } | null = null;
    try {
      const key = createPublicKey(pem);
      if (key.asymmetricKeyType === 'ed25519') parsed = { keyId: keyIdOf(key), key };
    } catch {
      parsed = null;
    }
    // A handful of keys is normal; a flood of distinct ones must not grow memory without bound.
    if (this.#parsed.size < 64) this.#parsed.set(pem, parsed);
    return parsed;
  }
}

/** Problems, capped in number; the lowest seq is kept even for the ones not listed. */
class ProblemList {
  readonly #max: number;
  readonly #items: VerifyProblem[] = [];
  omitted = 0;
  firstSeq: number | null = null;

  constructor(max: number) {
    this.#max = max;
  }

  add(problem: VerifyProblem): void {
    this.firstSeq = this.firstSeq === null ? problem.seq : Math.min(this.firstSeq, problem.seq);
    if (this.#items.length < this.#max) this.#items.push(problem);
    else this.omitted += 1;
  }

  sorted(): VerifyProblem[] {
    return [...this.#items].sort((a, b) => a.seq - b.seq);
  }
}

interface Peekable<T> {
  peek(): Promise<T | undefined>;
  next(): Promise<T | undefined>;
}

function peekable<T>(iterator: AsyncIterator<T>): Peekable<T> {
  let buffered: { value: T | undefined } | undefined;
  const pull = async (): Promise<T | undefined> => {
    const result = await iterator.next();
    return result.done === true ? undefined : result.value;
  };
  return {
    async peek() {
      buffered ??= { value: await pull() };
      return buffered.value;
    },
    async next() {
      if (buffered !== undefined) {
        const { value } = buffered;
        buffered = undefined;
        return value;
      }
      return pull();
    },
  };
}
