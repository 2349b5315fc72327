import type { Clock } from '#shared/clock';
import { advanceCheckpoint, getCheckpoint } from '#shared/table/runs';
import type { TableContext } from '#shared/table/context';
import type { LoopResult } from './types';

/** One page of a paginated source listing. */
export interface Page<T> {
  items: T[];
  /** The token of the next page; absent on the last one. */
  next?: string;
}

export interface CheckpointedLoopOptions<T> {
  table: TableContext;
  clock: Clock;
  runId: string;
  /** The checkpoint's key in the run (`users#a`, `groups`, `members#admins`). */
  key: string;
  /** Stop starting new pages once this much time has passed. */
  budgetMs: number;
  fetch(cursor: string | undefined): Promise<Page<T>>;
  /**
   * Writes a page (idempotently: a replay after a crash writes it again) and returns how many it
   * saw — and, for a scoped user listing, how many it left out as out of scope.
   */
  write(items: T[]): Promise<number | { seen: number; outOfScope: number }>;
}

/**
 * Pages from the run's checkpoint until the listing ends or the budget is spent. Each page is
 * written, then the checkpoint advances from the page's token to the next one; the advance is
 * conditional, so a page replayed after a crash (or by a duplicate invocation) is written again
 * but counted nothing. The next page is fetched while the current one is written: at ~80 ms a
 * call, waiting for the writes first would leave the quota share unspent. At most two pages are
 * held at once, so memory stays flat however large the pool.
 */
export const runCheckpointedLoop = async <T>(options: CheckpointedLoopOptions<T>): Promise<LoopResult> => {
  const { table, clock, runId, key } = options;
  const checkpoint = await getCheckpoint(table, runId, key);
  if (checkpoint.done) return { done: true, counted: 0, pages: 0 };
  const deadline = clock.now() + options.budgetMs;
  let cursor = checkpoint.cursor;
  let pending = options.fetch(cursor);
  let counted = 0;
  let outOfScopeTotal = 0;
  let pages = 0;
  for (;;) {
    const page = await pending;
    const more = page.next !== undefined;
    const prefetch = more && clock.now() < deadline ? options.fetch(page.next) : undefined;
    // Handled here so a failed write does not leave the prefetch's rejection unobserved.
    prefetch?.catch(() => undefined);
    const written = await options.write(page.items);
    const { seen, outOfScope } = typeof written === 'number' ? { seen: written, outOfScope: 0 } : written;
    const advanced = await advanceCheckpoint(table, runId, key, {
      fromCursor: cursor,
      toCursor: page.next,
      seen,
      outOfScope,
      done: !more,
    });
    if (!advanced) {
      // Someone else (a retried or duplicate invocation) moved this checkpoint: continue from
      // where the table says, in a fresh invocation.
      const latest = await getCheckpoint(table, runId, key);
      return {
        done: latest.done,
        ...(latest.cursor ? { cursor: latest.cursor } : {}),
        counted,
        pages,
        ...(outOfScopeTotal ? { outOfScope: outOfScopeTotal } : {}),
      };
    }
    counted += seen;
    outOfScopeTotal += outOfScope;
    pages += 1;
    cursor = page.next;
    const scoped = outOfScopeTotal ? { outOfScope: outOfScopeTotal } : {};
    if (!more) return { done: true, counted, pages, ...scoped };
    if (!prefetch) return { done: false, ...(cursor ? { cursor } : {}), counted, pages, ...scoped };
    pending = prefetch;
  }
};
