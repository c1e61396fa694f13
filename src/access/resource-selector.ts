import type { ResourceInfo, ResourceSelector } from './access-model.ts';

/**
 * A selector matches a resource named in `names`, OR one carrying every label
 * in `labels` with an equal value (extra labels on the resource do not matter).
 * A selector that lists nothing selects nothing: an empty rule must never turn
 * into "every resource".
 */
export function selectorMatches(selector: ResourceSelector, resource: ResourceInfo): boolean {
  if (selector.names?.includes(resource.name) === true) return true;
  const labels = selector.labels;
  if (labels === undefined) return false;
  const entries = Object.entries(labels);
  if (entries.length === 0) return false;
  for (const [key, value] of entries) {
    if (!Object.hasOwn(resource.labels, key) || resource.labels[key] !== value) return false;
  }
  return true;
}

/** The resources of `resources` a selector matches, in their given order. */
export function selectResources(selector: ResourceSelector, resources: readonly ResourceInfo[]): ResourceInfo[] {
  return resources.filter((resource) => selectorMatches(selector, resource));
}
