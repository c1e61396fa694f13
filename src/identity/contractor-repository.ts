import type { Kysely, Selectable, Transaction } from 'kysely';
import { StintError } from '../errors/stint-error.ts';
import type { ContractorRecord, FileContractor } from '../policy/policy-types.ts';
import type { ContractorsTable, Database } from '../store/database-schema.ts';
import type { Store } from '../store/store.ts';
import { normaliseEmail } from './email-address.ts';

/** A plain connection or a caller's transaction (a policy apply writes everything in one). */
export type Db = Kysely<Database> | Transaction<Database>;

export interface InvitedContractor {
  readonly email: string;
  readonly roles: readonly string[];
  readonly untilAt: number;
  readonly name?: string;
  readonly company?: string;
  /** Who invited them. */
  readonly sponsor: string;
}

/**
 * The contractors table. Emails are stored lower-cased and roles as a JSON
 * array; rows are never deleted by normal operation (offboarding keeps the
 * record for the audit trail and re-onboarding).
 */
export class ContractorRepository {
  readonly #db: Kysely<Database>;

  /** Every write takes its instant as an argument: a policy apply stamps all its rows with one time. */
  constructor(deps: { readonly store: Store }) {
    this.#db = deps.store.db;
  }

  /** Every contractor on record, active or offboarded, by email. */
  async list(db: Db = this.#db): Promise<ContractorRecord[]> {
    const rows = await db.selectFrom('contractors').selectAll().orderBy('email').execute();
    return rows.map(toRecord);
  }

  async get(email: string, db: Db = this.#db): Promise<ContractorRecord | null> {
    const row = await db.selectFrom('contractors').selectAll().where('email', '=', normaliseEmail(email)).executeTakeFirst();
    return row === undefined ? null : toRecord(row);
  }

  /**
   * Makes the record match the policy files: inserts it, or overwrites an
   * existing one (re-activating it if it was offboarded) and keeps its creation time.
   */
  async upsertFromFiles(contractor: FileContractor, now: number, db: Db = this.#db): Promise<ContractorRecord> {
    const values = activeRow(contractor, 'files', now);
    const row = await db
      .insertInto('contractors')
      .values(values)
      .onConflict((oc) =>
        oc.column('email').doUpdateSet({
          name: values.name,
          company: values.company,
          sponsor: values.sponsor,
          roles: values.roles,
          until_at: values.until_at,
          source: values.source,
          status: values.status,
          updated_at: now,
          offboarded_at: null,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRecord(row);
  }

  /**
   * Adds a contractor who accepted an invite, or re-onboards an offboarded one
   * with the invite's roles and end date (their name and company stay unless
   * given). An active contractor is left alone: returns null.
   */
  async addFromInvite(invited: InvitedContractor, now: number, db: Db = this.#db): Promise<ContractorRecord | null> {
    const values = activeRow({ ...invited, name: invited.name ?? '', company: invited.company ?? '' }, 'api', now);
    const row = await db
      .insertInto('contractors')
      .values(values)
      .onConflict((oc) =>
        oc
          .column('email')
          .doUpdateSet({
            ...(invited.name === undefined ? {} : { name: invited.name }),
            ...(invited.company === undefined ? {} : { company: invited.company }),
            sponsor: values.sponsor,
            roles: values.roles,
            until_at: values.until_at,
            source: values.source,
            status: values.status,
            updated_at: now,
            offboarded_at: null,
          })
          .where('contractors.status', '=', 'offboarded'),
      )
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? null : toRecord(row);
  }

  /** Offboards: the row stays (status offboarded, offboarded_at set). False when there was no active contractor. */
  async remove(email: string, now: number, db: Db = this.#db): Promise<boolean> {
    const result = await db
      .updateTable('contractors')
      .set({ status: 'offboarded', offboarded_at: now, updated_at: now })
      .where('email', '=', normaliseEmail(email))
      .where('status', '=', 'active')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Puts a record back as it was before a change made at `changedAt` (null:
   * there was none), when the change's audit record could not be written. Only
   * a row still as that change left it is touched.
   */
  async restore(email: string, previous: ContractorRecord | null, changedAt: number, db: Db = this.#db): Promise<void> {
    const key = normaliseEmail(email);
    if (previous === null) {
      await db.deleteFrom('contractors').where('email', '=', key).where('updated_at', '=', changedAt).execute();
      return;
    }
    await db
      .updateTable('contractors')
      .set({
        name: previous.name,
        company: previous.company,
        sponsor: previous.sponsor,
        roles: encodeRoles(previous.roles),
        until_at: previous.untilAt,
        source: previous.source,
        status: previous.status,
        created_at: previous.createdAt,
        updated_at: previous.updatedAt,
        offboarded_at: previous.offboardedAt,
      })
      .where('email', '=', key)
      .where('updated_at', '=', changedAt)
      .execute();
  }
}

/** Roles keep the order they were given in (so a record round-trips unchanged); duplicates are dropped. */
export function encodeRoles(roles: readonly string[]): string {
  return JSON.stringify([...new Set(roles)]);
}

/** Reads a JSON role array; a malformed one fails closed rather than granting or dropping roles silently. */
export function decodeRoles(text: string, where: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StintError('STINT_ERR_INTERNAL', `The roles stored for ${where} are unreadable.`, [], { cause: error });
  }
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw new StintError('STINT_ERR_INTERNAL', `The roles stored for ${where} are not a list of names.`);
  }
  return value;
}

function toRecord(row: Selectable<ContractorsTable>): ContractorRecord {
  return {
    email: row.email,
    name: row.name,
    company: row.company,
    sponsor: row.sponsor,
    roles: decodeRoles(row.roles, `contractor ${row.email}`),
    untilAt: row.until_at,
    source: row.source,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    offboardedAt: row.offboarded_at,
  };
}

/** A new, active contractors row, with emails normalised and roles encoded. */
function activeRow(contractor: FileContractor, source: ContractorsTable['source'], now: number) {
  return {
    email: normaliseEmail(contractor.email),
    name: contractor.name,
    company: contractor.company,
    sponsor: normaliseEmail(contractor.sponsor),
    roles: encodeRoles(contractor.roles),
    until_at: contractor.untilAt,
    source,
    status: 'active' as const,
    created_at: now,
    updated_at: now,
    offboarded_at: null,
  };
}
