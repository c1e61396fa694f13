/** Reason codes only refusedSettingChange gives; statement-session-settings.test.ts must cover each one. */
export const SETTING_REASONS: ReadonlySet<string> = new Set(['DENY_GUARDRAIL_STATEMENT_TIMEOUT', 'DENY_READ_ONLY_SESSION']);
