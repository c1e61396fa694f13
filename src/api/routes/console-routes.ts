import { buildAccessMatrix } from '../../reports/access-matrix.ts';
import { buildConsoleOverview } from '../../reports/console-overview.ts';
import { StintError } from '../../errors/stint-error.ts';
import { route, type ApiRoute } from '../api-route.ts';
import type { ApiServices } from '../api-services.ts';

const DRIFT_SUMMARY_LINES = 50;

export type DriftStatus = 'none' | 'drift' | 'unknown';

/**
 * Drift of the running state against the files this server was started with,
 * planned by the same code as `stint plan` / `stint drift`. Unknown when the
 * server has no files to compare with or cannot read them (never "none" by default).
 */
async function driftStatus(services: ApiServices): Promise<{ drift: DriftStatus; driftSummary?: string[] }> {
  if (services.policySource === undefined) return { drift: 'unknown', driftSummary: ['This server was not started from policy files, so there is nothing to compare with.'] };
  try {
    const plan = await services.policy.plan(await services.policySource());
    if (!plan.hasChanges) return { drift: 'none' };
    const lines = plan.changes.map((change) => change.text);
    return {
      drift: 'drift',
      driftSummary: lines.length > DRIFT_SUMMARY_LINES ? [...lines.slice(0, DRIFT_SUMMARY_LINES), `… and ${lines.length - DRIFT_SUMMARY_LINES} more`] : lines,
    };
  } catch (error) {
    const reason = error instanceof StintError ? `${error.code}: ${error.message}` : 'the policy files could not be read';
    return { drift: 'unknown', driftSummary: [`The policy files on disk could not be planned (${reason}).`] };
  }
}

export function consoleRoutes(services: ApiServices): ApiRoute[] {
  return [
    route({
      method: 'GET',
      url: '/v1/console/overview',
      summary: 'Console overview: contractor, session and request counts, what ends soon, the last 20 denials',
      tag: 'console',
      access: ['approver', 'auditor'],
      handler: async () => buildConsoleOverview(services.store, await services.contractors.list(), services.clock.now()),
    }),
    route({
      method: 'GET',
      url: '/v1/access/matrix',
      summary: 'Resources, roles and guardrails as declared, the effective access of every contractor (as the gateway decides it), and the policy digest with its drift status',
      tag: 'console',
      access: ['approver', 'auditor'],
      handler: async () => {
        // A fresh index and policy, so grants approved or revoked a moment ago on any node show.
        const applied = await services.policy.refresh();
        if (applied === null) throw new StintError('STINT_ERR_POLICY_NOT_APPLIED');
        await services.access.refresh();
        const matrix = buildAccessMatrix(applied.compiled, services.access.index(), services.clock.now());
        return {
          ...matrix,
          policy: {
            digest: applied.digest,
            version: applied.version,
            appliedAt: new Date(applied.appliedAt).toISOString(),
            appliedBy: applied.appliedBy,
            ...(await driftStatus(services)),
          },
        };
      },
    }),
  ];
}
