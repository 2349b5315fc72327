import type { Clock } from '#shared/clock';

/** The part of Cognito's 5-second trigger budget one invocation may spend. */
export interface Deadline {
  /** Aborts in-flight SDK calls when the budget is spent. */
  readonly signal: AbortSignal;
  remainingMs(): number;
}

export type StartDeadline = (budgetMs: number) => Deadline;

/**
 * A deadline on a real timer (AbortSignal.timeout, which does not keep the process alive), with
 * the remaining time read from the injected clock.
 */
export const timerDeadline =
  (clock: Clock): StartDeadline =>
  (budgetMs) => {
    const start = clock.now();
    return {
      signal: AbortSignal.timeout(budgetMs),
      remainingMs: () => Math.max(0, budgetMs - (clock.now() - start)),
    };
  };
