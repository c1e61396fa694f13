/**
 * Which masks apply to a contractor on a resource: every mask of every grant
 * rule, of every role the contractor holds, that selects the resource — in
 * the spirit of deny beats allow, one rule masking a column is enough to mask
 * it, whatever other rules grant. Built with the access index, once per
 * policy change, so a statement pays one Map lookup.
 */
import type { ResourceInfo, RoleInfo } from '../access/access-model.ts';
import { selectResources } from '../access/resource-selector.ts';
import { buildMaskSet, type ColumnMask, type MaskSet } from './mask-rules.ts';

export type ResourceMasks = ReadonlyMap<string, MaskSet>;

export const NO_MASKS: ResourceMasks = new Map();

/** resource → masks, for one set of held roles (shared by every contractor holding the same set). */
export function masksForRoles(roles: readonly RoleInfo[], resources: readonly ResourceInfo[], hashKeyEnv: string | null): ResourceMasks {
  const byResource = new Map<string, ColumnMask[]>();
  for (const role of roles) {
    for (const rule of role.grants) {
      if (rule.mask === undefined || rule.mask.length === 0) continue;
      for (const resource of selectResources(rule.resources, resources)) {
        const list = byResource.get(resource.name);
        if (list === undefined) byResource.set(resource.name, [...rule.mask]);
        else list.push(...rule.mask);
      }
    }
  }
  if (byResource.size === 0) return NO_MASKS;
  const sets = new Map<string, MaskSet>();
  for (const [resource, masks] of byResource) sets.set(resource, buildMaskSet(masks, hashKeyEnv));
  return sets;
}

/** The columns masked for one contractor on one resource, as `resource: column` lines (for plans). */
export function maskedColumnKeys(masks: ResourceMasks): Set<string> {
  const keys = new Set<string>();
  for (const [resource, set] of masks) for (const mask of set.masks) keys.add(`${resource}\n${mask.column}`);
  return keys;
}
