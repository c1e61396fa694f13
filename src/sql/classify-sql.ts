/**
 * SQL text in, one classification per statement out. Callers treat anything
 * but `ok: true` as a reason to refuse the text (fail closed).
 */
import { isAstObject, rawNode, wrappedNodeType, type AstObject } from './ast-node.ts';
import { ClassificationCache, shapeTexts, type TrackedClassification } from './classify-cache.ts';
import { trackLiterals, twinText, type LiteralReads } from './literal-tracking.ts';
import { parseSql, unreadableText, type RawStatement } from './sql-parser.ts';
import type { SqlShape } from './sql-shape.ts';
import type { Classification, StatementInfo } from './sql-types.ts';
import { kindCommand, statementKind } from './statement-kinds.ts';
import { StatementWalker } from './statement-walker.ts';

export { loadSqlParser } from './sql-parser.ts';

/** The process-wide cache behind classifySql; see classify-cache.ts for why sharing by shape is safe. */
export const classificationCache = new ClassificationCache({ fresh: classifySqlFresh, tracked: classifySqlTracked, unreadable: unreadableText });

/**
 * Classify every statement in `sql`. Synchronous; throws only if
 * loadSqlParser() has not completed. Repeated shapes are served from the
 * classification cache, with the same result classifySqlFresh would give.
 */
export function classifySql(sql: string): Classification {
  return classificationCache.classify(sql);
}

/** Classify every statement in `sql` with the parser, bypassing the cache. */
export function classifySqlFresh(sql: string): Classification {
  const parsed = parseSql(sql);
  if (!parsed.ok) return parsed;
  return classifyParsed(sql, parsed.statements, (node) => node);
}

function classifyParsed(sql: string, raws: readonly RawStatement[], prepare: (node: AstObject, index: number) => AstObject): Classification {
  const source = new StatementSource(sql);
  const statements: StatementInfo[] = [];
  for (const [index, raw] of raws.entries()) {
    try {
      statements.push(classifyStatement(prepare(raw.node, index), source.text(raw)));
    } catch (error) {
      // A tree too deep for the walker's recursion must not escape as an exception, nor pass.
      const reason = error instanceof Error ? error.message : String(error);
      return { ok: false, error: `the statement could not be classified: ${reason}` };
    }
  }
  return { ok: true, statements };
}

/**
 * Classify while noting whether any literal value was read (literal-tracking.ts).
 * Shareable by shape only when none was, and when the shape's statements and
 * texts are exactly the parser's (a BEGIN ATOMIC body's semicolons, say, are not).
 */
export function classifySqlTracked(sql: string, shape: SqlShape): TrackedClassification {
  const parsed = parseSql(sql);
  if (!parsed.ok) return { result: parsed, shareable: false };
  const twin = parseSql(twinText(sql, shape));
  if (!twin.ok || twin.statements.length !== parsed.statements.length || shape.statements.length !== parsed.statements.length) {
    return { result: classifyParsed(sql, parsed.statements, (node) => node), shareable: false };
  }
  const reads: LiteralReads = { touched: false };
  const result = classifyParsed(sql, parsed.statements, (node, index) => trackLiterals(node, twin.statements[index]!.node, reads));
  if (!result.ok) return { result, shareable: false };
  const texts = shapeTexts(sql, shape);
  const sameTexts = result.statements.every((info, index) => info.text === texts[index]);
  return { result, shareable: sameTexts && !reads.touched };
}

/** Classify one parsed statement node (`{ SelectStmt: {...} }`); exported for direct tests of odd trees. */
export function classifyStatement(node: AstObject, text: string): StatementInfo {
  const raw = rawNode(node);
  const type = wrappedNodeType(raw);
  const body = type === undefined ? undefined : raw[type];
  if (type === undefined || !isAstObject(body)) {
    const unsafeReasons = ['the statement has a form Stint does not recognise'];
    return { class: 'unsafe', command: 'UNKNOWN', tablesRead: [], tablesWritten: [], functions: [], text, unsafeReasons };
  }
  const facts = new StatementWalker().walk(type, body);
  // A top-level node type missing from the table is unsafe like a nested one.
  const unknown = statementKind(type) === undefined && !type.endsWith('Stmt') ? [`the statement type ${type} is not one Stint recognises`] : [];
  const unsafeReasons = [...facts.unsafeReasons, ...unknown];
  const kind = statementKind(type);
  let command = kind === undefined ? `UNKNOWN (${type})` : kindCommand(kind, body);
  if (type === 'SelectStmt' && facts.selectsInto) command = 'SELECT INTO';
  const info: StatementInfo = {
    class: unsafeReasons.length > 0 ? 'unsafe' : facts.class,
    command,
    tablesRead: facts.tablesRead,
    tablesWritten: facts.tablesWritten,
    functions: facts.functions,
    text,
  };
  const prepares = type === 'PrepareStmt' && typeof body.name === 'string' ? body.name : undefined;
  return {
    ...info,
    ...(facts.executes === undefined ? {} : { executes: facts.executes }),
    ...(prepares === undefined ? {} : { prepares }),
    ...(facts.deleteWithoutWhere ? { deleteWithoutWhere: true } : {}),
    ...(facts.updateWithoutWhere ? { updateWithoutWhere: true } : {}),
    ...(facts.truncates ? { truncates: true } : {}),
    ...(facts.settings.length === 0 ? {} : { settings: facts.settings }),
    ...(facts.setsReadWrite ? { setsReadWrite: true } : {}),
    ...(unsafeReasons.length === 0 ? {} : { unsafeReasons }),
    ...(facts.opaqueCode === undefined || unknown.length > 0 ? {} : { opaqueCode: facts.opaqueCode }),
  };
}

/**
 * The parser reports statement boundaries in UTF-8 bytes; JavaScript strings
 * index UTF-16 code units. Pure-ASCII text (the common case) slices directly.
 */
class StatementSource {
  readonly #sql: string;
  readonly #bytes: Buffer | undefined;

  constructor(sql: string) {
    this.#sql = sql;
    this.#bytes = Buffer.byteLength(sql, 'utf8') === sql.length ? undefined : Buffer.from(sql, 'utf8');
  }

  text(raw: RawStatement): string {
    const end = raw.byteLength === undefined ? undefined : raw.byteStart + raw.byteLength;
    const slice =
      this.#bytes === undefined
        ? this.#sql.slice(raw.byteStart, end)
        : this.#bytes.subarray(raw.byteStart, end).toString('utf8');
    return slice.trim();
  }
}
