/** Emails are identities here: compared, stored and looked up in one form only. */
export function normaliseEmail(text: string): string {
  return text.trim().toLowerCase();
}

// Deliberately plain: one @, no spaces, a dot in the domain. Deliverability is
// the sponsor's concern; this only catches typos and pasted garbage.
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export function isEmailAddress(text: string): boolean {
  return text.length <= 254 && EMAIL.test(text);
}
