// Which topics' metadata the snapshot may answer for, by sequence numbers
// rather than clocks: every refresh start and every invalidation takes the
// next number, and a topic is fresh when the refresh that last answered for
// it started after the topic (or every topic) was last invalidated. So an
// invalidation that lands while a refresh is in flight is not cleared by it.
export class MetadataFreshness {
  private sequence = 0;
  private readonly invalidatedAt = new Map<string, number>();
  private allInvalidatedAt = -1;
  private readonly refreshedAt = new Map<string, number>();

  /** A refresh starts; returns its number, for `refreshed`. */
  begin(): number {
    return ++this.sequence;
  }

  /** `topic`, or every topic, is to be asked again. */
  invalidate(topic?: string): void {
    if (topic === undefined) this.allInvalidatedAt = ++this.sequence;
    else this.invalidatedAt.set(topic, ++this.sequence);
  }

  /** The refresh numbered `startedAt` answered for `topic`. */
  refreshed(topic: string, startedAt: number): void {
    if (startedAt > (this.refreshedAt.get(topic) ?? -1)) this.refreshedAt.set(topic, startedAt);
  }

  isFresh(topic: string): boolean {
    const refreshed = this.refreshedAt.get(topic) ?? -1;
    return (this.invalidatedAt.get(topic) ?? -1) < refreshed && this.allInvalidatedAt < refreshed;
  }

  /** Whether `topic` (every topic when undefined) was invalidated after the refresh numbered `startedAt` began. */
  invalidatedSince(startedAt: number, topic?: string): boolean {
    return this.allInvalidatedAt > startedAt || (topic !== undefined && (this.invalidatedAt.get(topic) ?? -1) > startedAt);
  }
}
