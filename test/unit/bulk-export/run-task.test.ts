import { ManualClock } from '#shared/clock';
import type { TableContext } from '#shared/table/context';
import { runTask } from '../../../functions/bulk-export/run-task';
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
});
