import type { AccessMatrix, Guardrail, MatrixRule, ResourceSelector } from '../../api/api-types.ts';
import { getAccessMatrix } from '../../api/endpoints.ts';
import { useAuth } from '../../auth/auth-context.tsx';
import { Countdown } from '../../components/countdown.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { Panel } from '../../components/panel.tsx';
import { Table } from '../../components/table.tsx';
import { DateTime } from '../../components/time-ago.tsx';
import { useApi } from '../../hooks/use-api.ts';
import { useLiveRefresh } from '../../live/live-context.tsx';
import { formatSpan } from '../../time/instant.ts';

type Row = AccessMatrix['rows'][number];

function labelsText(labels: Readonly<Record<string, string>> | undefined): string {
  return Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** "billing, ledger" or "env=prod" or "every resource". */
function selectorText(selector: ResourceSelector): string {
  const parts = [...(selector.names ?? []), ...(selector.labels === undefined ? [] : [labelsText(selector.labels)])].filter((p) => p !== '');
  return parts.length === 0 ? 'every resource' : parts.join('; ');
}

function ruleText(rule: MatrixRule): string {
  return `${rule.effect} ${rule.actions.join(', ')} on ${selectorText(rule.resources)}${rule.tables === undefined ? '' : ` (tables ${rule.tables.join(', ')})`}`;
}

function guardrailText(g: Guardrail): string {
  const parts = [
    g.deny.length === 0 ? '' : `deny ${g.deny.join(', ')}`,
    g.requireApproval.length === 0 ? '' : `approval needed for ${g.requireApproval.join(', ')}`,
    g.block.length === 0 ? '' : `block ${g.block.join(', ')}`,
    g.statementTimeoutMs === undefined ? '' : `statements end after ${formatSpan(g.statementTimeoutMs)}`,
    g.maxRows === undefined ? '' : `at most ${g.maxRows} rows per result`,
  ].filter((p) => p !== '');
  return `on ${selectorText(g.resources)}: ${parts.length === 0 ? 'no limits' : parts.join('; ')}`;
}

function viaText(row: Row): string {
  return row.via.map((v) => (v.kind === 'role' ? `role ${v.name}` : `grant ${v.id}`)).join(', ');
}

function DriftStatus({ policy }: { policy: AccessMatrix['policy'] }) {
  const text = policy.drift === 'none' ? 'No drift: the running state matches the applied policy.' : policy.drift === 'drift' ? 'Drift: the running state differs from the applied policy.' : 'Drift status unknown.';
  return (
    <div className={`drift drift-${policy.drift}`} role="status">
      <p>{text}</p>
      {policy.driftSummary === undefined || policy.driftSummary.length === 0 ? null : (
        <ul>
          {policy.driftSummary.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function AccessPage() {
  const { http } = useAuth();
  const matrix = useApi(() => getAccessMatrix(http), [http]);
  useLiveRefresh(['grant.created', 'grant.ended', 'contractor.changed'], matrix.reload);

  return (
    <>
      <h1>Access</h1>
      <p className="hint">Read-only: access changes through the policy files (plan, apply) and approved requests.</p>
      <Panel title="Policy in force" state={matrix}>
        {(m) => (
          <>
            <dl className="facts">
              <dt>Digest</dt>
              <dd>
                <code className="hash">{m.policy.digest}</code>
              </dd>
              <dt>Applied</dt>
              <dd>
                <DateTime at={m.policy.appliedAt} /> by {m.policy.appliedBy}
              </dd>
            </dl>
            <DriftStatus policy={m.policy} />
          </>
        )}
      </Panel>
      <Panel title="Effective access" state={matrix}>
        {(m) =>
          m.rows.length === 0 ? (
            <EmptyState title="Nobody has access">No contractor can reach any resource now.</EmptyState>
          ) : (
            <Table
              caption="Effective access: contractor, resource, actions"
              rows={m.rows}
              rowKey={(r) => `${r.email}:${r.resource}`}
              columns={[
                { header: 'Contractor', cell: (r) => r.email },
                { header: 'Resource', cell: (r) => r.resource },
                { header: 'Actions', cell: (r) => r.actions.join(', ') + (r.tables === undefined || r.tables.length === 0 ? '' : ` (tables: ${r.tables.join(', ')})`) },
                { header: 'Masks', cell: (r) => (r.masks.length === 0 ? 'none' : r.masks.join(', ')), secondary: true },
                { header: 'Guardrails', cell: (r) => (r.guardrails.length === 0 ? 'none' : r.guardrails.map((g) => `#${g}`).join(', ')), secondary: true },
                { header: 'Via', cell: viaText, secondary: true },
                { header: 'Until', cell: (r) => <Countdown to={r.expiresAt} /> },
              ]}
            />
          )
        }
      </Panel>
      <Panel title="Resources" state={matrix}>
        {(m) =>
          m.resources.length === 0 ? (
            <EmptyState title="No resources declared" />
          ) : (
            <Table
              caption="Resources"
              rows={m.resources}
              rowKey={(r) => r.name}
              columns={[
                { header: 'Name', cell: (r) => r.name },
                { header: 'Kind', cell: (r) => r.kind },
                { header: 'Labels', cell: (r) => labelsText(r.labels) || '—' },
              ]}
            />
          )
        }
      </Panel>
      <Panel title="Roles" state={matrix}>
        {(m) =>
          m.roles.length === 0 ? (
            <EmptyState title="No roles declared" />
          ) : (
            <Table
              caption="Roles"
              rows={m.roles}
              rowKey={(r) => r.name}
              columns={[
                { header: 'Role', cell: (r) => r.name },
                { header: 'Description', cell: (r) => r.description ?? '—', secondary: true },
                { header: 'Longest session', cell: (r) => (r.maxSessionMs === undefined || r.maxSessionMs === null ? 'engagement' : formatSpan(r.maxSessionMs)), secondary: true },
                {
                  header: 'Rules',
                  cell: (r) => (
                    <ul className="rules">
                      {r.rules.map((rule, i) => (
                        <li key={i}>{ruleText(rule)}</li>
                      ))}
                    </ul>
                  ),
                },
              ]}
            />
          )
        }
      </Panel>
      <Panel title="Guardrails" state={matrix}>
        {(m) =>
          m.guardrails.length === 0 ? (
            <EmptyState title="No guardrails declared" />
          ) : (
            <ul className="guardrails">
              {m.guardrails.map((g) => (
                <li key={g.number} id={`guardrail-${g.number}`}>
                  <strong>#{g.number}</strong> {guardrailText(g)}
                </li>
              ))}
            </ul>
          )
        }
      </Panel>
    </>
  );
}
