import { z } from 'zod';
import { appliedPolicyFiles } from '../../control/policy-control.ts';
import { StintError } from '../../errors/stint-error.ts';
import { route, type ApiRoute } from '../api-route.ts';
import type { ApiServices } from '../api-services.ts';

const MAX_FILES = 200;

export const PolicyFilesBody = z
  .object({
    files: z
      .array(z.object({ path: z.string().min(1).max(500), content: z.string() }).strict())
      .min(1, 'send at least one policy file')
      .max(MAX_FILES, `send at most ${MAX_FILES} policy files`),
  })
  .strict();

export function policyRoutes(services: ApiServices): ApiRoute[] {
  return [
    route({
      method: 'GET',
      url: '/v1/policy',
      summary: 'The policy in force: digest, version and compiled content (secret references only)',
      tag: 'policy',
      access: ['auditor', 'approver'],
      handler: async () => {
        const applied = await services.policy.refresh();
        if (applied === null) throw new StintError('STINT_ERR_POLICY_NOT_APPLIED');
        return applied;
      },
    }),
    route({
      method: 'GET',
      url: '/v1/policy/files',
      summary: 'The files of the policy in force, as applied',
      tag: 'policy',
      access: ['auditor'],
      handler: async () => {
        const files = await appliedPolicyFiles(services.store);
        if (files === null) throw new StintError('STINT_ERR_POLICY_NOT_APPLIED');
        return { files };
      },
    }),
    route({
      method: 'POST',
      url: '/v1/policy/plan',
      summary: 'Diff policy files against the running state (also used for drift)',
      tag: 'policy',
      access: ['auditor'],
      body: PolicyFilesBody,
      handler: ({ body }) => services.policy.plan(body.files),
    }),
    route({
      method: 'POST',
      url: '/v1/policy/apply',
      summary: 'Apply policy files atomically and record the digest and diff',
      tag: 'policy',
      access: [],
      body: PolicyFilesBody,
      handler: async ({ body, principal }) => {
        const actor = principal?.email ?? 'unknown';
        try {
          return await services.policy.apply(body.files, actor);
        } catch (error) {
          if (error instanceof StintError && error.code.startsWith('STINT_ERR_POLICY')) {
            await services.audit.append({
              code: 'POLICY_APPLY_FAILED',
              actor,
              summary: `Policy apply by ${actor} refused: ${error.message}`,
              data: { code: error.code, details: error.details.slice(0, 50) },
            });
          }
          throw error;
        }
      },
    }),
  ];
}
