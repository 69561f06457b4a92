/**
 * Which broker-pair links the node has cut (cutLink), as unordered pairs. A
 * cut outlives the workers at either end, as a network partition outlives a
 * process: a channel created for a cut pair starts cut. Owned by the node.
 */
export class LinkCuts {
  readonly #cut = new Set<string>();

  has(a: number, b: number): boolean {
    return this.#cut.has(key(a, b));
  }

  add(a: number, b: number): void {
    this.#cut.add(key(a, b));
  }

  delete(a: number, b: number): void {
    this.#cut.delete(key(a, b));
  }

  /** The brokers whose link to `brokerId` is cut, in id order. */
  peersOf(brokerId: number): number[] {
    return this.pairs()
      .flatMap(([a, b]) => (a === brokerId ? [b] : b === brokerId ? [a] : []))
      .sort((x, y) => x - y);
  }

  /** Every cut pair, lower id first. */
  pairs(): Array<[number, number]> {
    return [...this.#cut].map((k) => k.split('-').map(Number) as [number, number]);
  }
}

function key(a: number, b: number): string {
  return a < b ? `${a}-${b}` : `${b}-${a}`;
}
