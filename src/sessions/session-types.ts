import type { SessionEndReason } from '../store/database-schema.ts';

export type { SessionEndReason };

/** What a protocol proxy tells the registry when a session is allowed and connected. */
export interface SessionStart {
  readonly protocol: string;
  readonly contractor: string;
  readonly resource: string;
  readonly clientAddress: string;
  readonly tls: boolean;
  readonly tokenId: string;
  /** When access ends (the decision's expiresAt); null = no bound (never for contractors in practice). */
  readonly expiresAt: number | null;
}

/**
 * Implemented by each protocol's session: end the connection now, telling the
 * client `message` in the protocol's own error form, cancelling any running
 * upstream work and closing both sides. Must be idempotent and must call
 * `LiveSession.finish` once everything is closed.
 */
export interface SessionTerminator {
  terminate(reason: SessionEndReason, message: string): void;
}

/** A read-only view of a session, for the API and the CLI. */
export interface SessionView {
  readonly id: string;
  readonly node: string;
  readonly protocol: string;
  readonly contractor: string;
  readonly resource: string;
  readonly clientAddress: string;
  readonly tls: boolean;
  readonly startedAt: number;
  readonly expiresAt: number | null;
  readonly endedAt: number | null;
  readonly endReason: SessionEndReason | null;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly statements: number;
}
