/** Small statistics shared by the benchmarks: sorted percentiles and round-by-round interleaving. */

/** The p-th percentile (0–100) of `values`, nearest-rank on a sorted copy. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of an empty sample');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/**
 * Runs every contender once per round, in the same order each round
 * (A B C A B C ...), so slow drift of the machine touches all of them alike.
 * Returns each contender's samples in round order.
 */
export async function interleave<K extends string>(
  rounds: number,
  contenders: Readonly<Record<K, () => Promise<number>>>,
): Promise<Record<K, number[]>> {
  const keys = Object.keys(contenders) as K[];
  const samples = Object.fromEntries(keys.map((key) => [key, [] as number[]])) as Record<K, number[]>;
  for (let r = 0; r < rounds; r++) {
    for (const key of keys) samples[key].push(await contenders[key]());
  }
  return samples;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
