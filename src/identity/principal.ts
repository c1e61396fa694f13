import type { TokenSubjectKind } from '../store/database-schema.ts';

/** Roles the API knows; staff get theirs from the policy, contractors and admin tokens one each. */
export type ApiRoleName = 'admin' | 'approver' | 'auditor' | 'contractor';

/** Who presented a token that was accepted. */
export interface Principal {
  readonly kind: TokenSubjectKind;
  /** The contractor's or staff member's email; for admin tokens, the subject they were issued to. */
  readonly email: string;
  readonly tokenId: string;
  readonly tokenExpiresAt: number | null;
  readonly apiRoles: readonly ApiRoleName[];
}

export type AuthFailureCode =
  | 'STINT_ERR_TOKEN_INVALID'
  | 'STINT_ERR_TOKEN_EXPIRED'
  | 'STINT_ERR_TOKEN_REVOKED'
  | 'STINT_ERR_CONTRACTOR_OFFBOARDED'
  | 'STINT_ERR_ENGAGEMENT_ENDED';

export type AuthResult = { readonly ok: true; readonly principal: Principal } | { readonly ok: false; readonly code: AuthFailureCode; readonly message: string };

export interface AuthContext {
  /** The caller's address, for the audit record. */
  readonly ip?: string;
  /** Where the token was presented: `api`, `postgres`, ... */
  readonly via: string;
}
