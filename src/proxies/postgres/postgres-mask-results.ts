import type { Obligation, RowLimitObligation } from '../../access/decision.ts';
import type { AuditEventInput } from '../../audit/audit-event.ts';
import type { MaskSet } from '../../masking/mask-rules.ts';
import { parseSql } from '../../sql/sql-parser.ts';
import { stringField } from '../../sql/ast-node.ts';
import { MaskCatalog, type CatalogConnector } from './postgres-mask-catalog.ts';
import { copyTarget, maskCopyLine, planCopy, type CopyPlan, type CopyTarget } from './postgres-mask-copy.ts';
import { fieldMasks, hashKeyFrom, maskDataRow, planRow, unknownTables, type RowPlan } from './postgres-mask-rows.ts';
import { RowLimiter, rowLimitNotice, rowsCutEvent } from './postgres-row-limit.ts';
import type { RunningStatement, SessionAuditContext } from './postgres-session-audit.ts';
import { copyData, errorResponse, parseCommandComplete, parseRowDescription, type BackendFrame, type RowField, type TransactionStatus } from './postgres-wire.ts';

/**
 * What a session does to results on their way to the client: masks columns
 * (DataRow and COPY rows) and cuts rows at max_rows, as the decision's
 * obligations for the running statement say. The ResponseTracker hands it
 * the result messages with the statement they belong to.
 *
 * A result whose statement carries no obligation is marked plain at its
 * first message, and every later row costs one comparison: nothing is parsed
 * or allocated. When masking cannot be carried out (a column that cannot be
 * attributed, a missing hash key, a failed catalog lookup) the result's rows
 * are withheld and its CommandComplete replaced by an error: fail closed.
 */

interface ActiveResult {
  readonly plan: RowPlan;
  readonly copy: { readonly target: CopyTarget; readonly plan: NonNullable<CopyPlan>; header: boolean } | null;
  readonly failed: string | null;
  readonly limiter: RowLimiter | null;
  readonly key: string | null;
  readonly hashKey: Buffer | null;
  /** Rows sent and dropped by this result (this piece, for a portal run in pieces). */
  sentHere: number;
  droppedHere: number;
}

const PLAIN: ActiveResult = Object.freeze({ plan: null, copy: null, failed: null, limiter: null, key: null, hashKey: null, sentHere: 0, droppedHere: 0 });
const NOTHING = Buffer.alloc(0);

export interface ResultRewriterDeps {
  readonly connect: CatalogConnector;
  readonly context: SessionAuditContext;
  readonly record: (event: AuditEventInput) => void;
  readonly warn: (error: unknown, message: string) => void;
  /** The catalog to name columns with; by default one of the session's own over `connect`. */
  readonly catalog?: MaskCatalog;
}

export class ResultRewriter {
  readonly #deps: ResultRewriterDeps;
  #catalog: MaskCatalog | null = null;
  #state: ActiveResult | null = null;
  /**
   * True while the result under way needs nothing done to its rows: the
   * tracker then relays them without calling in (the common case costs one
   * property read per row).
   */
  plain = false;
  readonly #hashKeys = new Map<MaskSet, Buffer | null>();
  /** The description of the COPY (query) about to start, from prepare(). */
  #described: { readonly sql: string; readonly fields: readonly RowField[] } | null = null;
  /** Row counts of portals run in pieces and of cursors, by `portal:name` / `cursor:name`. */
  readonly #counts = new Map<string, RowLimiter>();

  constructor(deps: ResultRewriterDeps) {
    this.#deps = deps;
    this.#catalog = deps.catalog ?? null;
  }

  get #names(): MaskCatalog {
    this.#catalog ??= new MaskCatalog(this.#deps.connect);
    return this.#catalog;
  }

  /**
   * Before a RowDescription or CopyOutResponse of a masked statement is
   * handled: the catalog lookups it needs, or undefined when none are needed.
   * A failed lookup leaves the names unknown, which handle() then refuses.
   */
  prepare(frame: BackendFrame, running: RunningStatement | undefined): Promise<void> | undefined {
    if (frame.type !== 'T' && frame.type !== 'H') return undefined;
    if (masksOf(running?.obligations) === undefined) return undefined;
    const catalog = this.#names;
    if (frame.type === 'T') {
      const unknown = unknownTables(parseRowDescription(frame), catalog);
      if (unknown.length === 0) return undefined;
      return catalog.loadOids(unknown).catch((error: unknown) => this.#deps.warn(error, 'masking: catalog lookup failed'));
    }
    const target = copyTarget(running!.info.text);
    const warn = (error: unknown): void => this.#deps.warn(error, 'masking: catalog lookup failed');
    if (target?.query !== undefined && target.query !== null) {
      const sql = target.query;
      this.#described = null;
      return catalog
        .describeQuery(sql)
        .then(async (fields) => {
          this.#described = { sql, fields };
          const unknown = unknownTables(fields, catalog);
          if (unknown.length > 0) await catalog.loadOids(unknown);
        })
        .catch(warn);
    }
    if (target?.table === undefined || target.table === null || catalog.tableNamed(target.table) !== undefined) return undefined;
    return catalog.loadName(target.table).catch(warn);
  }

  /** One result message (T, D, H, d, C, s); returns what the client gets instead. */
  handle(frame: BackendFrame, running: RunningStatement | undefined): Buffer {
    const out = this.#handle(frame, running);
    this.plain = this.#state === PLAIN;
    return out;
  }

  #handle(frame: BackendFrame, running: RunningStatement | undefined): Buffer {
    switch (frame.type) {
      case 'T':
        this.#state = this.#start(running, frame);
        return frame.raw;
      case 'H':
        this.#state = this.#startCopy(running);
        return frame.raw;
      case 'D':
      case 'd': {
        const state = (this.#state ??= this.#start(running, null));
        if (state === PLAIN) return frame.raw;
        return this.#row(frame, state);
      }
      case 'C':
        return this.#complete(frame, running);
      case 's': {
        const state = this.#state;
        this.#state = null;
        if (state === null || state.droppedHere === 0 || state.limiter === null) return frame.raw;
        this.#deps.record(rowsCutEvent(this.#deps.context, running?.info.command ?? 'EXECUTE', state.limiter, state.sentHere));
        return Buffer.concat([rowLimitNotice(state.limiter.limit), frame.raw]);
      }
      default:
        return frame.raw;
    }
  }

  /** An error ended whatever result was under way. */
  error(): void {
    this.#state = null;
    this.plain = false;
  }

  /** Portals and (non-holdable) cursors end with their transaction, and their row counts with them. */
  readyForQuery(status: TransactionStatus): void {
    this.#state = null;
    this.plain = false;
    if (status === 'I' && this.#counts.size > 0) this.#counts.clear();
  }

  #row(frame: BackendFrame, state: ActiveResult): Buffer {
    if (state.failed !== null) return NOTHING;
    if (state.copy?.header === true) {
      state.copy.header = false;
      return frame.raw;
    }
    if (state.limiter !== null && !state.limiter.admit()) {
      state.droppedHere++;
      return NOTHING;
    }
    state.sentHere++;
    if (state.copy !== null) {
      try {
        return copyData(Buffer.from(maskCopyLine(frame.body.toString('utf8'), state.copy.target, state.copy.plan, state.hashKey)));
      } catch (error) {
        // A row that does not match the plan (a column count the description did not predict): withhold the rest.
        this.#state = { ...state, failed: error instanceof Error ? error.message : 'a COPY row could not be masked' };
        return NOTHING;
      }
    }
    return state.plan === null ? frame.raw : maskDataRow(frame, state.plan);
  }

  #complete(frame: BackendFrame, running: RunningStatement | undefined): Buffer {
    const state = this.#state;
    this.#state = null;
    if (running?.info.class === 'ddl') this.#catalog?.invalidate();
    if (state === null || state === PLAIN) return frame.raw;
    if (state.key !== null && state.key.startsWith('portal:')) this.#counts.delete(state.key);
    if (state.failed !== null) {
      return errorResponse({
        severity: 'ERROR',
        code: '42501',
        message: `Stint withheld this result because it could not mask it: ${state.failed}`,
        hint: 'Select masked columns plainly from their tables; if this persists, tell your sponsor.',
      });
    }
    const limiter = state.limiter;
    if (limiter === null || state.droppedHere === 0) return frame.raw;
    const tag = parseCommandComplete(frame).tag;
    this.#deps.record(rowsCutEvent(this.#deps.context, running?.info.command ?? tag, limiter, state.sentHere));
    return limiter.completion(tag, state.sentHere);
  }

  #start(running: RunningStatement | undefined, description: BackendFrame | null): ActiveResult {
    const obligations = running?.obligations;
    if (obligations === undefined || obligations.length === 0) return PLAIN;
    const masks = masksOf(obligations);
    const { limiter, key } = this.#limiter(running!, obligations);
    let plan: RowPlan = null;
    let failed: string | null = null;
    const hashKey = masks === undefined ? null : this.#hashKey(masks);
    if (masks !== undefined) {
      if (description === null) failed = 'the result arrived without a description of its columns';
      else {
        const outcome = planRow(parseRowDescription(description), masks, this.#names, hashKey);
        if (outcome.ok) plan = outcome.plan;
        else failed = outcome.reason;
      }
    }
    if (plan === null && failed === null && limiter === null) return PLAIN;
    return { plan, copy: null, failed, limiter, key, hashKey, sentHere: 0, droppedHere: 0 };
  }

  #startCopy(running: RunningStatement | undefined): ActiveResult {
    const obligations = running?.obligations;
    if (obligations === undefined || obligations.length === 0) return PLAIN;
    const masks = masksOf(obligations);
    const { limiter, key } = this.#limiter(running!, obligations);
    if (masks === undefined) return limiter === null ? PLAIN : { ...PLAIN, limiter, key, sentHere: 0, droppedHere: 0 };
    const hashKey = this.#hashKey(masks);
    const target = copyTarget(running!.info.text);
    let failed: string | null = null;
    let copy: ActiveResult['copy'] = null;
    // Masks apply to this statement: a COPY that cannot be read or planned is withheld, never sent in clear.
    const plan = target === undefined ? 'the COPY statement could not be read' : this.#copyPlan(target, masks);
    if (typeof plan === 'string') failed = plan;
    else if (plan !== null && target !== undefined) {
      const hashed = plan.some((entry) => entry?.mask.strategy === 'hash');
      if (hashed && hashKey === null) failed = `a hash-masked column is copied but the gateway has no hash key (${masks.hashKeyEnv ?? 'settings.masking.hash_key_env'} is not set)`;
      else copy = { target, plan, header: target.csv && target.header };
    }
    if (copy === null && failed === null && limiter === null) return PLAIN;
    return { plan: null, copy, failed, limiter, key, hashKey, sentHere: 0, droppedHere: 0 };
  }

  /** Which fields of a COPY's rows are masked: from the table's columns, or from the described query. */
  #copyPlan(target: CopyTarget, masks: MaskSet): CopyPlan | string {
    if (target.table !== null) {
      const table = this.#names.tableNamed(target.table);
      return table === undefined ? 'the table this COPY reads could not be named from the catalog' : planCopy(target, table, masks);
    }
    const described = this.#described;
    this.#described = null;
    if (described === null || described.sql !== target.query) return 'the columns of this COPY (query) could not be described';
    const found = fieldMasks(described.fields, masks, this.#names);
    if (!found.ok) return found.reason;
    return found.masks === null ? null : found.masks.map((mask, index) => (mask === null ? null : { mask, typeOid: described.fields[index]!.typeOid }));
  }

  /** The limiter for a result: shared across the pieces of one portal, or the FETCHes of one cursor. */
  #limiter(running: RunningStatement, obligations: readonly Obligation[]): { limiter: RowLimiter | null; key: string | null } {
    const limit = obligations.find((obligation): obligation is RowLimitObligation => obligation.kind === 'max_rows');
    if (limit === undefined) return { limiter: null, key: null };
    const key = running.portal !== undefined ? `portal:${running.portal}` : running.info.command === 'FETCH' ? cursorKey(running.info.text) : null;
    if (key === null) return { limiter: new RowLimiter(limit), key };
    let limiter = this.#counts.get(key);
    if (limiter === undefined || limiter.limit.limit !== limit.limit) {
      limiter = new RowLimiter(limit, limiter?.sent ?? 0);
      if (this.#counts.size < 1000) this.#counts.set(key, limiter);
    }
    return { limiter, key };
  }

  #hashKey(masks: MaskSet): Buffer | null {
    if (!this.#hashKeys.has(masks)) this.#hashKeys.set(masks, hashKeyFrom(masks));
    return this.#hashKeys.get(masks) ?? null;
  }
}

function masksOf(obligations: readonly Obligation[] | undefined): MaskSet | undefined {
  if (obligations === undefined) return undefined;
  for (const obligation of obligations) if (obligation.kind === 'mask' && obligation.set !== undefined) return obligation.set;
  return undefined;
}

function cursorKey(text: string): string | null {
  const parsed = parseSql(text);
  const fetch = parsed.ok ? (parsed.statements[0]?.node as { FetchStmt?: Record<string, unknown> } | undefined)?.FetchStmt : undefined;
  const name = fetch === undefined ? undefined : stringField(fetch, 'portalname');
  return name === undefined ? null : `cursor:${name}`;
}
