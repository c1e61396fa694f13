/**
 * Facts about particular fields of libpg-query's AST that the generic walk
 * cannot infer from the JSON alone.
 */

/**
 * Fields holding a bare struct (not `{Type: body}`) whose type matters to the
 * walker, keyed `ParentType.field`. Bare RangeVars are also recognised by
 * shape, so a field missing here is still seen.
 */
export const BARE_FIELD_TYPES: ReadonlyMap<string, string> = new Map([
  ['SelectStmt.larg', 'SelectStmt'],
  ['SelectStmt.rarg', 'SelectStmt'],
  ['PLAssignStmt.val', 'SelectStmt'],
  ['SelectStmt.intoClause', 'IntoClause'],
  ['CreateTableAsStmt.into', 'IntoClause'],
  ['SelectStmt.withClause', 'WithClause'],
  ['InsertStmt.withClause', 'WithClause'],
  ['UpdateStmt.withClause', 'WithClause'],
  ['DeleteStmt.withClause', 'WithClause'],
  ['MergeStmt.withClause', 'WithClause'],
  ['CallStmt.funccall', 'FuncCall'],
  ['AlterDefaultPrivilegesStmt.action', 'GrantStmt'],
  ['CreateForeignTableStmt.base', 'CreateStmt'],
  ['AlterRoleSetStmt.setstmt', 'VariableSetStmt'],
  ['AlterDatabaseSetStmt.setstmt', 'VariableSetStmt'],
  ['AlterSystemStmt.setstmt', 'VariableSetStmt'],
]);

/**
 * Where a RangeVar names a relation the statement changes (its data, its
 * definition or its privileges), keyed `ParentType.field`. Everywhere else a
 * RangeVar is read. COPY is decided by its direction, in the walker.
 */
export const WRITE_TARGETS: ReadonlySet<string> = new Set([
  'InsertStmt.relation',
  'UpdateStmt.relation',
  'DeleteStmt.relation',
  'MergeStmt.relation',
  'IntoClause.rel',
  'TruncateStmt.relations',
  'LockStmt.relations',
  'RefreshMatViewStmt.relation',
  'GrantStmt.objects',
  'CreateStmt.relation',
  'AlterTableStmt.relation',
  'PartitionCmd.name',
  'IndexStmt.relation',
  'ViewStmt.view',
  'CreateSeqStmt.sequence',
  'AlterSeqStmt.sequence',
  'CreateTrigStmt.relation',
  'RuleStmt.relation',
  'CreatePolicyStmt.table',
  'AlterPolicyStmt.table',
  'RenameStmt.relation',
  'AlterObjectDependsStmt.relation',
  'AlterObjectSchemaStmt.relation',
  'AlterOwnerStmt.relation',
  'CompositeTypeStmt.typevar',
  'ClusterStmt.relation',
  'VacuumRelation.relation',
  'ReindexStmt.relation',
]);
