import type { UpstreamConnection } from './postgres-upstream.ts';
import {
  BackendFramer,
  describe,
  parse,
  parseDataRow,
  parseErrorFields,
  parseRowDescription,
  query,
  sync,
  terminate,
  type BackendFrame,
  type RowField,
} from './postgres-wire.ts';

/**
 * The names behind the table OIDs and column numbers of RowDescription, for
 * masking. They are looked up on a short-lived connection of the gateway's
 * own to the resource (same target and credential as the session), never in
 * the client's stream: the client's transaction, errors and results stay
 * exactly its own.
 *
 * Cached per session, bounded, and dropped after a while or when the session
 * runs DDL. A cached entry can only be wrong after DDL elsewhere; an OID or
 * column number not in the cache is always looked up, so a new table or
 * column is never taken for an unmasked one.
 */

export interface CatalogTable {
  readonly schema: string;
  readonly table: string;
  /** attnum → column name, for the live columns. */
  readonly columns: ReadonlyMap<number, string>;
  /** Column names in attnum order (what COPY table TO sends). */
  readonly ordered: readonly { readonly attnum: number; readonly name: string; readonly typeOid: number }[];
}

/** Opens the side connection; the caller supplies the session's target. */
export type CatalogConnector = () => Promise<UpstreamConnection>;

export const CATALOG_MAX_TABLES = 500;
export const CATALOG_TTL_MS = 60_000;
const LOOKUP_TIMEOUT_MS = 10_000;

const COLUMNS_SQL = `SELECT c.oid::int8, n.nspname, c.relname, a.attnum, a.attname, a.atttypid::int8
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  WHERE `;

export class MaskCatalog {
  readonly #connect: CatalogConnector;
  readonly #now: () => number;
  readonly #byOid = new Map<number, CatalogTable>();
  readonly #byName = new Map<string, number>();
  #loadedAt = 0;

  constructor(connect: CatalogConnector, now: () => number = Date.now) {
    this.#connect = connect;
    this.#now = now;
  }

  /** The table of an OID, when known and fresh. */
  table(oid: number): CatalogTable | undefined {
    this.#expire();
    return this.#byOid.get(oid);
  }

  /** The table a name (`schema.table`, as regclass reads it) resolves to, when known and fresh. */
  tableNamed(name: string): CatalogTable | undefined {
    this.#expire();
    const oid = this.#byName.get(name);
    return oid === undefined ? undefined : this.#byOid.get(oid);
  }

  /** Forgets everything (the session ran DDL). */
  invalidate(): void {
    this.#byOid.clear();
    this.#byName.clear();
  }

  /** Looks up these table OIDs. Rejects when the lookup fails; the caller then fails closed. */
  async loadOids(oids: readonly number[]): Promise<void> {
    const list = oids.filter((oid) => Number.isSafeInteger(oid) && oid > 0).join(',');
    if (list === '') return;
    this.#store(await this.#lookup(`${COLUMNS_SQL}c.oid IN (${list}) ORDER BY 1, 4`));
  }

  /** Looks up a table by name as the session would resolve it (its search_path is not the session's: schema-qualify). */
  async loadName(name: string): Promise<void> {
    // Hex keeps the contractor-supplied name out of the SQL text whatever it holds.
    const hex = Buffer.from(name).toString('hex');
    const rows = await this.#lookup(`${COLUMNS_SQL}c.oid = to_regclass(convert_from(decode('${hex}', 'hex'), 'UTF8')) ORDER BY 1, 4`);
    this.#store(rows);
    const oid = rows[0]?.[0];
    if (oid !== undefined) this.#byName.set(name, Number(oid));
  }

  #expire(): void {
    if (this.#byOid.size > 0 && this.#now() - this.#loadedAt > CATALOG_TTL_MS) this.invalidate();
  }

  #store(rows: readonly (readonly string[])[]): void {
    const building = new Map<number, { schema: string; table: string; ordered: { attnum: number; name: string; typeOid: number }[] }>();
    for (const [oid, schema, table, attnum, name, typeOid] of rows) {
      const key = Number(oid);
      let entry = building.get(key);
      if (entry === undefined) {
        entry = { schema: schema!, table: table!, ordered: [] };
        building.set(key, entry);
      }
      entry.ordered.push({ attnum: Number(attnum), name: name!, typeOid: Number(typeOid) });
    }
    for (const [oid, entry] of building) {
      // Oldest first out: a Map iterates in insertion order.
      if (this.#byOid.size >= CATALOG_MAX_TABLES) this.#byOid.delete(this.#byOid.keys().next().value!);
      this.#byOid.set(oid, { ...entry, columns: new Map(entry.ordered.map((column) => [column.attnum, column.name])) });
    }
    this.#loadedAt = this.#now();
  }

  /**
   * Which table column each output column of a query comes from: the
   * server's description of the query, asked with Parse and Describe only —
   * nothing runs. (Used for COPY (query), which carries no RowDescription.)
   */
  async describeQuery(sql: string): Promise<RowField[]> {
    const frames = await this.#roundTrip(Buffer.concat([parse('', sql), describe('S', ''), sync()]));
    const description = frames.find((frame) => frame.type === 'T');
    return description === undefined ? [] : parseRowDescription(description);
  }

  /** Runs one catalog query on a fresh connection; rows as text. */
  async #lookup(sql: string): Promise<string[][]> {
    const frames = await this.#roundTrip(query(sql));
    return frames.filter((frame) => frame.type === 'D').map((frame) => parseDataRow(frame).map((value) => value?.toString('utf8') ?? ''));
  }

  /** Sends `request` on a fresh connection and collects the answer up to ReadyForQuery; an ErrorResponse rejects. */
  async #roundTrip(request: Buffer): Promise<BackendFrame[]> {
    const connection = await this.#connect();
    const { socket } = connection;
    try {
      return await new Promise<BackendFrame[]>((resolve, reject) => {
        const framer = new BackendFramer();
        const frames: BackendFrame[] = [];
        let failure: string | null = null;
        const timer = setTimeout(() => reject(new Error('the catalog lookup timed out')), LOOKUP_TIMEOUT_MS);
        const onFrame = (frame: BackendFrame): void => {
          if (frame.type === 'E') failure = parseErrorFields(frame).message;
          else if (frame.type !== 'Z') frames.push(frame);
          else {
            clearTimeout(timer);
            if (failure === null) resolve(frames);
            else reject(new Error(`the catalog lookup failed: ${failure}`));
          }
        };
        socket.on('error', () => undefined);
        socket.on('data', (chunk: Buffer) => {
          try {
            for (const frame of framer.push(chunk)) onFrame(frame);
          } catch (error) {
            clearTimeout(timer);
            reject(error instanceof Error ? error : new Error('unreadable catalog answer'));
          }
        });
        socket.once('close', () => {
          clearTimeout(timer);
          reject(new Error('the catalog connection closed'));
        });
        if (connection.leftover.length > 0) socket.emit('data', connection.leftover);
        socket.resume();
        socket.write(request);
      });
    } finally {
      if (!socket.destroyed) socket.end(terminate());
      socket.destroy();
    }
  }
}
