/** The stored row of a session, as the registry and the history both show it. */
import type { SessionsTable } from '../store/database-schema.ts';
import type { SessionView } from './session-types.ts';

export function sessionRowToView(row: SessionsTable): SessionView {
  return {
    id: row.id,
    node: row.node,
    protocol: row.protocol,
    contractor: row.contractor,
    resource: row.resource,
    clientAddress: row.client_address,
    tls: row.tls === 1,
    startedAt: row.started_at,
    expiresAt: row.expires_at,
    endedAt: row.ended_at,
    endReason: row.end_reason,
    bytesIn: row.bytes_in,
    bytesOut: row.bytes_out,
    statements: row.statements,
  };
}
