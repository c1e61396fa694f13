/** The policy the console end-to-end test serves: invites add contractors; writes on the resource need an approved request. */
export function consoleE2ePolicy(database: string): string {
  return `version: 1
settings:
  contractors: api
  invite_ttl: 72h
  token_ttl: 30d
  default_engagement: 30d
resources:
  demo:
    kind: postgres
    address: 127.0.0.1:5432
    database: ${database}
    credentials: { user: postgres }
    labels: { env: dev }
roles:
  readonly:
    grants:
      - resources: { labels: { env: dev } }
        actions: [read]
staff:
  approver@corp.example: { name: Pat Approver, roles: [approver] }
  auditor@corp.example: { name: Ada Auditor, roles: [auditor] }
guardrails:
  - resources: { labels: { env: dev } }
    deny: [ddl]
    block: [delete_without_where, update_without_where, truncate]
approvals:
  - resources: { names: [demo] }
    actions: [write]
    approvers: [approver@corp.example]
    max_duration: 8h
    require_reason: true
`;
}
