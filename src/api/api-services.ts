import type { ControlPlane } from '../control/control-plane.ts';
import type { PolicyFile } from '../policy/policy-types.ts';

/**
 * What the API needs from the rest of Stint: the shared control plane plus
 * what only the HTTP front door knows. Built once in src/server.ts.
 */
export interface ApiServices extends ControlPlane {
  /** Base URL people reach this server at, for invite links. */
  readonly publicUrl: string;
  /** SPKI PEM public keys audit checkpoints must be signed with. */
  readonly auditTrustedKeys: readonly string[];
  /** Where contractors reach each protocol listener, for `stint connect`; null when not listening. */
  readonly gateway: GatewayEndpoints;
  /** Reads the policy files this server was started with, for the console's drift status; absent when it has none. */
  readonly policySource?: () => Promise<readonly PolicyFile[]>;
}

export interface GatewayEndpoints {
  readonly postgres: { readonly host: string; readonly port: number } | null;
  /** The CA clients verify listener certificates with (PEM), when Stint generated or was given one. */
  readonly caPem: string | null;
}
