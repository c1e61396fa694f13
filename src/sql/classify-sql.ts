/**
 * SQL text in, one classification per statement out. Callers treat anything
 * but `ok: true` as a reason to refuse the text (fail closed).
 */
import { isAstObject, wrappedNodeType, type AstObject } from './ast-node.ts';
import { parseSql, type RawStatement } from './sql-parser.ts';
import type { Classification, StatementInfo } from './sql-types.ts';
import { kindCommand, statementKind } from './statement-kinds.ts';
import { StatementWalker } from './statement-walker.ts';

export { loadSqlParser } from './sql-parser.ts';

/** Classify every statement in `sql`. Synchronous; throws only if loadSqlParser() has not completed. */
export function classifySql(sql: string): Classification {
  const parsed = parseSql(sql);
  if (!parsed.ok) return parsed;
  const source = new StatementSource(sql);
  const statements: StatementInfo[] = [];
  for (const raw of parsed.statements) {
    try {
      statements.push(classifyStatement(raw.node, source.text(raw)));
    } catch (error) {
      // A tree too deep for the walker's recursion must not escape as an exception, nor pass.
      const reason = error instanceof Error ? error.message : String(error);
      return { ok: false, error: `the statement could not be classified: ${reason}` };
    }
  }
  return { ok: true, statements };
}

/** Classify one parsed statement node (`{ SelectStmt: {...} }`); exported for direct tests of odd trees. */
export function classifyStatement(node: AstObject, text: string): StatementInfo {
  const type = wrappedNodeType(node);
  const body = type === undefined ? undefined : node[type];
  if (type === undefined || !isAstObject(body)) {
    return { class: 'admin', command: 'UNKNOWN', tablesRead: [], tablesWritten: [], functions: [], text };
  }
  const facts = new StatementWalker().walk(type, body);
  const kind = statementKind(type);
  let command = kind === undefined ? `UNKNOWN (${type})` : kindCommand(kind, body);
  if (type === 'SelectStmt' && facts.selectsInto) command = 'SELECT INTO';
  const info: StatementInfo = {
    class: facts.class,
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
