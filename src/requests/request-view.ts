import type { CompiledPolicy } from '../policy/policy-types.ts';
import { eligibleApprovers, governingRule } from './approval-rules.ts';
import { approvalView, decodeActions, decodeTables, type ApprovalRow, type Db, type RequestRow } from './request-rows.ts';
import type { AccessRequestView } from './request-types.ts';

const ID_BATCH = 500;

/** A request as people see it: its row, its approvals, and what the rule in force now asks for it. */
export function requestView(row: RequestRow, approvals: readonly ApprovalRow[], policy: CompiledPolicy | null): AccessRequestView {
  const actions = decodeActions(row.actions);
  const resource = policy?.resources.find((candidate) => candidate.name === row.resource);
  const rule = policy === null || resource === undefined ? undefined : governingRule(policy, resource, actions);
  return {
    id: row.id,
    requester: row.requester,
    resource: row.resource,
    actions,
    tables: decodeTables(row.tables),
    durationMs: row.duration_ms,
    reason: row.reason,
    status: row.status,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    decidedAt: row.decided_at,
    decidedBy: row.decided_by,
    decisionReason: row.decision_reason,
    grantId: row.grant_id,
    approvals: [...approvals].sort((a, b) => a.at - b.at || (a.approver < b.approver ? -1 : 1)).map(approvalView),
    minApprovals: rule?.minApprovals ?? null,
    approvers: policy === null || rule === undefined ? [] : eligibleApprovers(policy, rule, row.requester),
  };
}

/** The approvals of many requests, by request id. */
export async function approvalsOf(db: Db, ids: readonly string[]): Promise<Map<string, ApprovalRow[]>> {
  const byRequest = new Map<string, ApprovalRow[]>();
  for (let i = 0; i < ids.length; i += ID_BATCH) {
    const rows = await db.selectFrom('request_approvals').selectAll().where('request_id', 'in', ids.slice(i, i + ID_BATCH)).execute();
    for (const row of rows) byRequest.set(row.request_id, [...(byRequest.get(row.request_id) ?? []), row]);
  }
  return byRequest;
}
