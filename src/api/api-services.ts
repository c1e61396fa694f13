import type { AuditSink } from '../audit/audit-event.ts';
import type { AccessState } from '../control/access-state.ts';
import type { PolicyControl } from '../control/policy-control.ts';
import type { ContractorRepository } from '../identity/contractor-repository.ts';
import type { InviteService } from '../identity/invite-service.ts';
import type { TokenService } from '../identity/token-service.ts';
import type { SessionRegistry } from '../sessions/session-registry.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from '../time/clock.ts';

/** What the API needs from the rest of Stint; built once in src/server.ts. */
export interface ApiServices {
  readonly clock: Clock;
  readonly store: Store;
  readonly audit: AuditSink;
  readonly policy: PolicyControl;
  readonly contractors: ContractorRepository;
  readonly tokens: TokenService;
  readonly invites: InviteService;
  /** Base URL people reach this server at, for invite links. */
  readonly publicUrl: string;
  /** SPKI PEM public keys audit checkpoints must be signed with. */
  readonly auditTrustedKeys: readonly string[];
  readonly access: AccessState;
  readonly sessions: SessionRegistry;
  /** Where contractors reach each protocol listener, for `stint connect`; null when not listening. */
  readonly gateway: GatewayEndpoints;
}

export interface GatewayEndpoints {
  readonly postgres: { readonly host: string; readonly port: number } | null;
  /** The CA clients verify listener certificates with (PEM), when Stint generated or was given one. */
  readonly caPem: string | null;
}
