/** Reason codes only the masking criterion gives; statement-masking.test.ts must cover each one. */
export const MASKING_REASONS: ReadonlySet<string> = new Set(['DENY_MASKED_COLUMN']);
