import { acquireLease, readLease, releaseLease } from '#shared/table/leases';
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

    const result = await recordFailure(
      { state: { runId: 'run-1', execution: 'run-1', shards: [] }, error },
      deps,
    );

    expect(result).toEqual({ recorded: true, runId: 'run-1' });
    expect(await getRun(table, 'run-1')).toMatchObject({
      status: 'FAILED',
      error: { name: 'SourceThrottledError', cause: error.Cause },
    });
  });

  it('records a failed resume on the run it was resuming', async () => {
    await openRun(table, 'run-1');
    await releaseLease(table, 'bulk-sync', { owner: 'run-1', holder: 'run-1' }); // it had failed
    const { deps } = fakeDeps(table);

    const result = await recordFailure({ state: { resumeRunId: 'run-1' }, error }, deps);

    expect(result.recorded).toBe(true);
  });

  it('releases the lease of the execution that failed, so the next start is not refused', async () => {
    await openRun(table, 'run-1');
    const { deps } = fakeDeps(table);

    await recordFailure({ state: { runId: 'run-1', execution: 'run-1' }, error }, deps);

    expect(await readLease(table, 'bulk-sync')).toMatchObject({ state: 'RELEASED' });
  });

  it('leaves a run alone when another execution of it holds the lease (a late failure of a taken-over execution)', async () => {
    await openRun(table, 'run-1');
    (table.clock as ManualClock).advance(900_001);
    await acquireLease(table, 'bulk-sync', {
      owner: 'run-1',
      holder: 'resume-1',
      ttlMs: 900_000,
      takeOver: true,
    });
    const { deps } = fakeDeps(table);

    const result = await recordFailure(
      { state: { runId: 'run-1', execution: 'run-1' }, error: { Error: 'LeaseLostError' } },
      deps,
    );

    expect(result).toEqual({ recorded: false, runId: 'run-1' });
    expect((await getRun(table, 'run-1'))?.status).toBe('RUNNING');
  });

  it.each(['LeaseHeldError', 'LeaseStaleError', 'RunSupersededError'])(
    'records nothing on the run a refused Start named (%s)',
    async (name) => {
      await openRun(table, 'run-1');
      await releaseLease(table, 'bulk-sync', { owner: 'run-1', holder: 'run-1' });
      const { deps } = fakeDeps(table);

      const result = await recordFailure({ state: { resumeRunId: 'run-1' }, error: { Error: name } }, deps);

      expect(result.recorded).toBe(false);
      expect((await getRun(table, 'run-1'))?.status).toBe('RUNNING');
    },
  );

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
      { state: { runId: 'run-1', execution: 'run-1' }, error: { Error: 'Error', Cause: 'x'.repeat(10_000) } },
      deps,
    );

    expect((await getRun(table, 'run-1'))?.error?.cause).toHaveLength(4000);
  });
});
