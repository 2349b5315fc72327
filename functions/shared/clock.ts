/** Time as logic sees it: injected so tests control it and never sleep for real. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds of this clock's time. */
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/**
 * A clock whose time only moves when someone sleeps or calls `advance`. Sleeps resolve in
 * time order, so concurrent sleepers see a consistent timeline without real waiting.
 */
export class ManualClock implements Clock {
  private current: number;
  private sleepers: { until: number; resolve: () => void }[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number): Promise<void> {
    const until = this.current + Math.max(0, ms);
    const promise = new Promise<void>((resolve) => this.sleepers.push({ until, resolve }));
    // setImmediate runs once pending promise callbacks have settled, so every concurrent
    // caller has queued its sleep before time jumps to the earliest wake-up.
    setImmediate(() => this.wakeNext());
    return promise;
  }

  advance(ms: number): void {
    this.current += ms;
    this.releaseDue();
  }

  private wakeNext(): void {
    if (this.sleepers.length === 0) return;
    const earliest = Math.min(...this.sleepers.map((s) => s.until));
    if (earliest > this.current) this.current = earliest;
    this.releaseDue();
  }

  private releaseDue(): void {
    const due = this.sleepers.filter((s) => s.until <= this.current);
    this.sleepers = this.sleepers.filter((s) => s.until > this.current);
    for (const sleeper of due) sleeper.resolve();
  }
}
