import { ManualClock } from '#shared/clock';
import type { TableContext } from '#shared/table/context';
import { runTask, taskBudgetMs } from '../../../functions/bulk-export/run-task';
import { useLocalTable } from '../../support/local-table';
import { fakeDeps } from './fakes';

const local = useLocalTable(() => new ManualClock());
let table: TableContext;

beforeEach(async () => {
  table = local.table;
});

describe('runTask (the bulk-export dispatch)', () => {
  it.each([
    [{}],
    [{ task: 'export-everything' }],
    [{ task: 'users', runId: 'r', shard: 'A', workers: 1, budgetMs: 0 }],
    [{ task: 'users', runId: 'r', shard: 'a', workers: 0, budgetMs: 0 }],
    [{ task: 'groups', runId: '', budgetMs: 0 }],
    [{ task: 'finish', runId: 'r', shards: [], budgetMs: 0 }],
    [{ task: 'fail', state: {} }],
  ])('rejects the event %j with InvalidInputError before doing anything', async (event) => {
    const { deps, sourceMock } = fakeDeps(table);

    await expect(runTask(event, deps)).rejects.toThrow(
      expect.objectContaining({ name: 'InvalidInputError' }),
    );
    expect(sourceMock.calls()).toHaveLength(0);
  });

  it('dispatches on the task name', async () => {
    const { deps } = fakeDeps(table);

    const result = await runTask({ task: 'fail', state: {}, error: { Error: 'Error' } }, deps);

    expect(result).toEqual({ recorded: false });
  });

  it('refuses a task budget the Lambda timeout cannot hold, before touching either pool', async () => {
    const { deps, sourceMock } = fakeDeps(table);
    const invocation = { getRemainingTimeInMillis: () => 300_000 };

    await expect(
      runTask({ task: 'start', input: { taskBudgetSeconds: 600 }, executionName: 'e1' }, deps, invocation),
    ).rejects.toThrow(
      expect.objectContaining({ name: 'InvalidInputError', message: expect.stringMatching(/270 s/) }),
    );
    expect(sourceMock.calls()).toHaveLength(0);
  });
});

describe('taskBudgetMs', () => {
  it.each([
    [120_000, 300_000, 120_000],
    [600_000, 300_000, 270_000],
    [120_000, 2_000, 500],
    [120_000, 500, 0],
  ])('gives a %i ms budget with %i ms of Lambda time left %i ms', (requested, remaining, budget) => {
    expect(taskBudgetMs(requested, { getRemainingTimeInMillis: () => remaining })).toBe(budget);
  });

  it('keeps the requested budget outside Lambda', () => {
    expect(taskBudgetMs(120_000, undefined)).toBe(120_000);
  });
});
