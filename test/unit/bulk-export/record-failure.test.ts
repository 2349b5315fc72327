import { ManualClock } from '#shared/clock';
import { finishRun, getRun } from '#shared/table/runs';
import type { TableContext } from '#shared/table/context';
import { recordFailure } from '../../../functions/bulk-export/record-failure';
import { useLocalTable } from '../../support/local-table';
import { fakeDeps, openRun } from './fakes';

const local = useLocalTable(() => new ManualClock(Date.UTC(2026, 10, 22, 13, 0)));
let table: TableContext;

beforeEach(async () => {
  table = local.table;
});

const error = {
  Error: 'SourceThrottledError',
  Cause: '{"errorType":"SourceThrottledError","errorMessage":"Rate exceeded"}',
};

describe('recordFailure (the fail task)', () => {
  it('records the caught error on the run as FAILED, so it can be resumed', async () => {
    await openRun(table, 'run-1');
    const { deps } = fakeDeps(table);

    const result = await recordFailure({ state: { runId: 'run-1', shards: [] }, error }, deps);

    expect(result).toEqual({ recorded: true, runId: 'run-1' });
    expect(await getRun(table, 'run-1')).toMatchObject({
      status: 'FAILED',
      error: { name: 'SourceThrottledError', cause: error.Cause },
    });
  });

  it('records a failed resume on the run it was resuming', async () => {
    await openRun(table, 'run-1');
    const { deps } = fakeDeps(table);

    const result = await recordFailure({ state: { resumeRunId: 'run-1' }, error }, deps);

    expect(result.recorded).toBe(true);
  });

  it('records nothing, without failing, when Start failed before a run existed', async () => {
    const { deps } = fakeDeps(table);

    await expect(recordFailure({ state: { maxConcurrency: 0 }, error }, deps)).resolves.toEqual({
      recorded: false,
    });
    await expect(recordFailure({ state: { runId: 'never-opened' }, error }, deps)).resolves.toEqual({
      recorded: false,
      runId: 'never-opened',
    });
  });

  it('leaves a run that already succeeded as it is (a resume of it fails at Start)', async () => {
    await openRun(table, 'run-1');
    await finishRun(table, 'run-1', { status: 'SUCCEEDED', counts: { users: 3 } });
    const { deps } = fakeDeps(table);

    const result = await recordFailure({ state: { resumeRunId: 'run-1' }, error }, deps);

    expect(result).toEqual({ recorded: false, runId: 'run-1' });
    expect(await getRun(table, 'run-1')).toMatchObject({ status: 'SUCCEEDED', counts: { users: 3 } });
  });

  it('keeps at most 4,000 characters of a long cause', async () => {
    await openRun(table, 'run-1');
    const { deps } = fakeDeps(table);

    await recordFailure(
      { state: { runId: 'run-1' }, error: { Error: 'Error', Cause: 'x'.repeat(10_000) } },
      deps,
    );

    expect((await getRun(table, 'run-1'))?.error?.cause).toHaveLength(4000);
  });
});
