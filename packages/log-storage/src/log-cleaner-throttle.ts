import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Holds the cleaner to log.cleaner.io.max.bytes.per.second (Kafka's
 * Throttler): bytes read and written are counted, and whenever they run
 * ahead of the rate the clean sleeps until they no longer do. Checked at most
 * every `checkIntervalMs`, so a fast clean pays one timer per interval.
 * Owned by one clean.
 */
export class CleanerThrottle {
  private readonly start: number;
  private bytes = 0;
  private lastCheck: number;

  constructor(
    private readonly bytesPerSecond: number,
    private readonly clock: () => number = Date.now,
    private readonly checkIntervalMs = 100,
  ) {
    this.start = clock();
    this.lastCheck = this.start;
  }

  async maybeThrottle(bytes: number): Promise<void> {
    this.bytes += bytes;
    if (!Number.isFinite(this.bytesPerSecond) || this.bytesPerSecond <= 0) return;
    const now = this.clock();
    const dueFor = (this.bytes / this.bytesPerSecond) * 1000;
    if (now - this.lastCheck < this.checkIntervalMs && dueFor - (now - this.start) < this.checkIntervalMs) return;
    this.lastCheck = now;
    const ahead = dueFor - (now - this.start);
    if (ahead > 0) await sleep(ahead);
  }
}
