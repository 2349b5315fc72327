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

export interface ManualClockOptions {
  /**
   * When true (the default), a sleep jumps time to the earliest wake-up once every concurrent
   * caller has queued its sleep. When false, time moves only on `advance`, so a deadline timer
   * cannot expire while mocked calls are still in flight.
   */
  jumpOnSleep?: boolean;
}

/**
 * A clock whose time only moves when someone sleeps or calls `advance`. Sleeps resolve in
 * time order, so concurrent sleepers see a consistent timeline without real waiting.
 */
export class ManualClock implements Clock {
  private current: number;
  private sleepers: { until: number; resolve: () => void }[] = [];
  private readonly jumpOnSleep: boolean;

  constructor(start = Date.UTC(2026, 0, 1), options: ManualClockOptions = {}) {
    this.current = start;
    this.jumpOnSleep = options.jumpOnSleep ?? true;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number): Promise<void> {
    const until = this.current + Math.max(0, ms);
    const promise = new Promise<void>((resolve) => this.sleepers.push({ until, resolve }));
    // setImmediate runs once pending promise callbacks have settled, so every concurrent
    // caller has queued its sleep before time jumps to the earliest wake-up.
    if (this.jumpOnSleep) setImmediate(() => this.wakeNext());
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
