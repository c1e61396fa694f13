/** Reason codes only decideStatement gives; statement-access.test.ts must cover each one. */
export const STATEMENT_REASONS: ReadonlySet<string> = new Set([
  'DENY_TABLE_SCOPE',
  'DENY_GUARDRAIL_READ',
  'DENY_GUARDRAIL_WRITE',
  'DENY_GUARDRAIL_DDL',
  'DENY_GUARDRAIL_ADMIN',
  'DENY_GUARDRAIL_BLOCK',
  'DENY_GUARDRAIL_APPROVAL',
  'DENY_UNSAFE',
  'DENY_GUARDRAIL_UNSAFE',
]);
