/**
 * Collects names without duplicates and hands them back in the order they
 * appear in the SQL text (by parser location), whatever order the tree was
 * walked in. Names without a location follow, in the order they were added.
 */
export class NameCollector {
  readonly #firstSeen = new Map<string, number>();

  add(name: string, location: number | undefined): void {
    const at = location !== undefined && location >= 0 ? location : Number.MAX_SAFE_INTEGER;
    const known = this.#firstSeen.get(name);
    if (known === undefined || at < known) this.#firstSeen.set(name, at);
  }

  names(): string[] {
    // Array.prototype.sort is stable, so ties keep insertion order.
    return [...this.#firstSeen.entries()].sort((a, b) => a[1] - b[1]).map(([name]) => name);
  }
}
