/**
 * Names and groupings of the objects DDL acts on, shared by the statement
 * table and the walker.
 */

const OBJECT_WORDS: Readonly<Record<string, string>> = {
  MATVIEW: 'MATERIALIZED VIEW',
  FDW: 'FOREIGN DATA WRAPPER',
  FOREIGN_SERVER: 'SERVER',
  TSCONFIGURATION: 'TEXT SEARCH CONFIGURATION',
  TSDICTIONARY: 'TEXT SEARCH DICTIONARY',
  TSPARSER: 'TEXT SEARCH PARSER',
  TSTEMPLATE: 'TEXT SEARCH TEMPLATE',
  OPCLASS: 'OPERATOR CLASS',
  OPFAMILY: 'OPERATOR FAMILY',
  AMOP: 'OPERATOR FAMILY',
  AMPROC: 'OPERATOR FAMILY',
  TABCONSTRAINT: 'TABLE',
  DOMCONSTRAINT: 'DOMAIN',
  ATTRIBUTE: 'TYPE',
  COLUMN: 'TABLE',
  LARGEOBJECT: 'LARGE OBJECT',
  STATISTIC_EXT: 'STATISTICS',
  PUBLICATION_NAMESPACE: 'PUBLICATION',
  PUBLICATION_REL: 'PUBLICATION',
  DEFACL: 'DEFAULT PRIVILEGES',
};

/** `OBJECT_FOREIGN_TABLE` → `FOREIGN TABLE`, as the object is named in SQL. */
export function objectWords(objectType: string | undefined): string {
  if (objectType === undefined) return 'OBJECT';
  const bare = objectType.replace(/^OBJECT_/, '');
  return OBJECT_WORDS[bare] ?? bare.replace(/_/g, ' ');
}

/**
 * Object types that live outside one database's schema (roles, databases,
 * tablespaces) or that run code or connect out with the server's rights
 * (extensions, languages, foreign servers, event triggers, publications).
 * Dropping, renaming or re-owning them is admin, not ddl.
 */
export const ADMIN_OBJECT_TYPES: ReadonlySet<string> = new Set([
  'OBJECT_ROLE',
  'OBJECT_DATABASE',
  'OBJECT_TABLESPACE',
  'OBJECT_EXTENSION',
  'OBJECT_PUBLICATION',
  'OBJECT_PUBLICATION_NAMESPACE',
  'OBJECT_PUBLICATION_REL',
  'OBJECT_SUBSCRIPTION',
  'OBJECT_EVENT_TRIGGER',
  'OBJECT_FDW',
  'OBJECT_FOREIGN_SERVER',
  'OBJECT_USER_MAPPING',
  'OBJECT_LANGUAGE',
  'OBJECT_ACCESS_METHOD',
]);

/** Object types whose names DROP lists as relations, reported in tablesWritten. */
export const RELATION_OBJECT_TYPES: ReadonlySet<string> = new Set([
  'OBJECT_TABLE',
  'OBJECT_VIEW',
  'OBJECT_MATVIEW',
  'OBJECT_SEQUENCE',
  'OBJECT_FOREIGN_TABLE',
  'OBJECT_INDEX',
]);

/**
 * Languages that cannot reach the operating system. Functions and DO blocks in
 * any other language (C, internal, plpython3u, plperlu, plsh, ...) can run
 * arbitrary code as the server, so they are admin.
 */
export const TRUSTED_LANGUAGES: ReadonlySet<string> = new Set(['sql', 'plpgsql', 'plperl', 'pltcl', 'plv8', 'pllua']);
