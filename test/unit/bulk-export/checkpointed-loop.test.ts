import { ManualClock } from '#shared/clock';
import { getCheckpoint } from '#shared/table/runs';
import type { TableContext } from '#shared/table/context';
import { runCheckpointedLoop } from '../../../functions/bulk-export/checkpointed-loop';
import { useLocalTable } from '../../support/local-table';
import { openRun } from './fakes';

const local = useLocalTable(() => new ManualClock());
let table: TableContext;
let clock: ManualClock;

beforeEach(async () => {
  ({ table, clock } = local);
  await openRun(table);
});

/** A listing of `pages` pages of 60 numbers; tokens are page indexes. */
const listing = (pages: number) => {
  const stats = { fetched: 0, written: 0, maxHeld: 0 };
  return {
    stats,
    fetch: async (cursor: string | undefined) => {
      const index = Number(cursor ?? 0);
      stats.fetched += 1;
      stats.maxHeld = Math.max(stats.maxHeld, stats.fetched - stats.written);
      return {
        items: Array.from({ length: 60 }, (_, i) => index * 60 + i),
        ...(index + 1 < pages ? { next: String(index + 1) } : {}),
      };
    },
    write: async (items: number[]) => {
      await clock.sleep(10);
      stats.written += 1;
      return items.length;
    },
  };
};

describe('runCheckpointedLoop', () => {
  it('streams the listing: never more than two pages fetched and not yet written, however long it is', async () => {
    const { stats, fetch, write } = listing(200);

    const result = await runCheckpointedLoop({
      table,
      clock,
      runId: 'run-1',
      key: 'k',
      budgetMs: 60_000,
      fetch,
      write,
    });

    expect(result).toEqual({ done: true, counted: 12_000, pages: 200 });
    expect(stats.maxHeld).toBeLessThanOrEqual(2);
  });

  it('starts no new page once the budget is spent, leaving the checkpoint at the next token', async () => {
    const { fetch, write } = listing(10);
    // Writes take 10 ms: pages 0-2 start within 25 ms and each fetches the next ahead; page 3 is
    // written but fetches nothing more.

    const result = await runCheckpointedLoop({
      table,
      clock,
      runId: 'run-1',
      key: 'k',
      budgetMs: 25,
      fetch,
      write,
    });

    expect(result).toEqual({ done: false, cursor: '4', counted: 240, pages: 4 });
    expect(await getCheckpoint(table, 'run-1', 'k')).toMatchObject({ cursor: '4', seen: 240, done: false });
  });

  it('surfaces a failed write without an unhandled rejection from the page fetched ahead', async () => {
    const failingFetch = async (cursor: string | undefined) => {
      if (cursor) throw new Error('prefetch failed too');
      return { items: [1], next: 'x' };
    };

    await expect(
      runCheckpointedLoop({
        table,
        clock,
        runId: 'run-1',
        key: 'k',
        budgetMs: 60_000,
        fetch: failingFetch,
        write: async () => {
          throw new Error('write failed');
        },
      }),
    ).rejects.toThrow('write failed');
  });
});
