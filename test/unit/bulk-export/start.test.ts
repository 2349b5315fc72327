import { DescribeUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { ManualClock } from '#shared/clock';
import { LeaseHeldError, LeaseStaleError, RunSupersededError } from '#shared/errors';
import { readLease, releaseLease } from '#shared/table/leases';
import { getProgress } from '#shared/table/progress';
import { getRun } from '#shared/table/runs';
import { upsertSnapshot } from '#shared/table/users';
import { aSourceUser } from '../../support/users';
import type { TableContext } from '#shared/table/context';
import { startRun } from '../../../functions/bulk-export/start';
import { useLocalTable } from '../../support/local-table';
import { aConfig, awsError, fakeDeps, openRun } from './fakes';

const local = useLocalTable(() => new ManualClock(Date.UTC(2026, 10, 22, 13, 0)));
let table: TableContext;

beforeEach(async () => {
  table = local.table;
});

const clock = () => table.clock as ManualClock;

const reachablePools = () => {
  const fake = fakeDeps(table);
  fake.sourceMock.on(DescribeUserPoolCommand).resolves({ UserPool: { Id: 'us-east-1_source' } });
  fake.targetMock.on(DescribeUserPoolCommand).resolves({ UserPool: { Id: 'us-east-1_target' } });
  return fake;
};

describe('startRun', () => {
  it('opens a run named after the execution, with 16 hex shards and the default concurrency and budget', async () => {
    const { deps } = reachablePools();

    const context = await startRun({ input: {}, executionName: 'exec-1' }, deps);

    expect(context).toEqual({
      runId: 'exec-1',
      execution: 'exec-1',
      shards: '0123456789abcdef'.split(''),
      maxConcurrency: 4,
      budgetMs: 120_000,
      resumed: false,
    });
    expect((await getRun(table, 'exec-1'))?.status).toBe('RUNNING');
  });

  it('splits into 256 two-digit shards when shardPrefixLength is 2', async () => {
    const { deps } = reachablePools();

    const context = await startRun(
      { input: { shardPrefixLength: 2, maxConcurrency: 8 }, executionName: 'e' },
      deps,
    );

    expect(context.shards).toHaveLength(256);
    expect(new Set(context.shards).size).toBe(256);
    expect(context.shards.slice(0, 2)).toEqual(['00', '01']);
    expect(context.maxConcurrency).toBe(8);
  });

  it('checks both pools with DescribeUserPool before opening the run', async () => {
    const { deps, sourceMock, targetMock } = reachablePools();

    await startRun({ input: {}, executionName: 'exec-1' }, deps);

    expect(sourceMock).toHaveReceivedCommandWith(DescribeUserPoolCommand, { UserPoolId: 'us-east-1_source' });
    expect(targetMock).toHaveReceivedCommandWith(DescribeUserPoolCommand, { UserPoolId: 'us-east-1_target' });
  });

  it.each([
    [{ maxConcurrency: 0 }],
    [{ maxConcurrency: 41 }],
    [{ shardPrefixLength: 3 }],
    [{ taskBudgetSeconds: -1 }],
    [{ unknownField: true }],
    ['not an object'],
  ])('rejects the input %j before touching a pool or the table', async (input) => {
    const { deps, sourceMock } = reachablePools();

    await expect(startRun({ input, executionName: 'exec-1' }, deps)).rejects.toThrow(
      expect.objectContaining({ name: 'InvalidInputError' }),
    );
    expect(sourceMock).not.toHaveReceivedCommand(DescribeUserPoolCommand);
    expect(await getRun(table, 'exec-1')).toBeUndefined();
  });

  it('fails with SourceUnavailableError and opens no run when the source pool does not exist (ResourceNotFoundException)', async () => {
    const { deps, sourceMock } = reachablePools();
    sourceMock
      .on(DescribeUserPoolCommand)
      .rejects(awsError('ResourceNotFoundException', 'User pool does not exist.'));

    await expect(startRun({ input: {}, executionName: 'exec-1' }, deps)).rejects.toThrow(
      expect.objectContaining({ name: 'SourceUnavailableError' }),
    );
    expect(await getRun(table, 'exec-1')).toBeUndefined();
  });

  it('fails with TargetThrottledError, which the state machine retries, on TooManyRequestsException', async () => {
    const { deps, targetMock } = reachablePools();
    targetMock.on(DescribeUserPoolCommand).rejects(awsError('TooManyRequestsException'));

    await expect(startRun({ input: {}, executionName: 'exec-1' }, deps)).rejects.toThrow(
      expect.objectContaining({ name: 'TargetThrottledError' }),
    );
  });

  it('refuses to sync a pool into itself', async () => {
    // parseConfig refuses this too; the task checks again for a configuration built another way.
    const valid = aConfig();
    const config = { ...valid, target: { ...valid.target, userPoolId: valid.source.userPoolId } };
    const { deps } = fakeDeps(table, config);

    await expect(startRun({ input: {}, executionName: 'exec-1' }, deps)).rejects.toThrow(
      expect.objectContaining({ name: 'ConfigError' }),
    );
  });

  it('resumes an existing run with its own shards, and marks it running again', async () => {
    const { deps } = reachablePools();
    await openRun(table, 'run-1');
    await releaseLease(table, 'bulk-sync', { owner: 'run-1', holder: 'run-1' }); // it failed

    const context = await startRun(
      { input: { resumeRunId: 'run-1', maxConcurrency: 2 }, executionName: 'e2' },
      deps,
    );

    expect(context).toMatchObject({ runId: 'run-1', resumed: true, maxConcurrency: 2 });
    expect(context.shards).toHaveLength(16);
    expect((await getRun(table, 'run-1'))?.resumedAt).toHaveLength(1);
  });

  it('refuses a second start while a run holds the lease, naming that run, and opens nothing', async () => {
    const { deps } = reachablePools();
    await openRun(table, 'run-1');

    const second = startRun({ input: {}, executionName: 'exec-2' }, deps);

    await expect(second).rejects.toThrow(LeaseHeldError);
    await expect(second).rejects.toThrow(/"run-1"/);
    expect(await getRun(table, 'exec-2')).toBeUndefined();
  });

  it('refuses to resume a run another execution is running (its lease is live)', async () => {
    const { deps } = reachablePools();
    await openRun(table, 'run-1');

    await expect(startRun({ input: { resumeRunId: 'run-1' }, executionName: 'e2' }, deps)).rejects.toThrow(
      LeaseHeldError,
    );
    expect((await getRun(table, 'run-1'))?.resumedAt).toBeUndefined();
  });

  it('refuses to resume a run superseded by a later run, and leaves the lease free', async () => {
    const { deps } = reachablePools();
    await openRun(table, 'run-1');
    clock().advance(1000);
    await openRun(table, 'run-2'); // run-1 died; run-2 started (and ended) after it
    await releaseLease(table, 'bulk-sync', { owner: 'run-2', holder: 'run-2' });

    const resume = startRun({ input: { resumeRunId: 'run-1' }, executionName: 'e3' }, deps);

    await expect(resume).rejects.toThrow(RunSupersededError);
    await expect(resume).rejects.toThrow(/superseded by run "run-2"/);
    expect(await readLease(table, 'bulk-sync')).toMatchObject({ state: 'RELEASED' });
  });

  it('takes over a STALE lease only when asked, and closes the dead run as FAILED', async () => {
    const { deps } = reachablePools();
    await openRun(table, 'run-1');
    clock().advance(900_001);

    await expect(startRun({ input: {}, executionName: 'exec-2' }, deps)).rejects.toThrow(LeaseStaleError);
    const context = await startRun({ input: { takeOver: true }, executionName: 'exec-2' }, deps);

    expect(context.runId).toBe('exec-2');
    expect(await readLease(table, 'bulk-sync')).toMatchObject({ owner: 'exec-2', state: 'HELD' });
    expect(await getRun(table, 'run-1')).toMatchObject({
      status: 'FAILED',
      error: { name: 'LeaseLostError' },
    });
  });

  it('recounts the status counters when it resumes a run (a killed runner leaves them short)', async () => {
    const { deps } = reachablePools();
    await openRun(table, 'run-1');
    await upsertSnapshot(table, aSourceUser({ username: 'written-not-counted' }), { runId: 'run-1' });
    clock().advance(900_001);

    await startRun({ input: { resumeRunId: 'run-1', takeOver: true }, executionName: 'e2' }, deps);

    expect(await getProgress(table)).toMatchObject({ total: 1, byStatus: { PENDING: 1 } });
  });

  it('refuses a lease shorter than a task budget plus a retry back-off (it would go STALE while alive)', async () => {
    const { deps } = reachablePools();

    await expect(
      startRun({ input: { taskBudgetSeconds: 120, leaseSeconds: 180 }, executionName: 'exec-1' }, deps),
    ).rejects.toThrow(
      expect.objectContaining({ name: 'InvalidInputError', message: expect.stringMatching(/leaseSeconds/) }),
    );
    expect(await readLease(table, 'bulk-sync')).toBeUndefined();
  });

  it('fails with RunNotFoundError when the run to resume does not exist', async () => {
    const { deps } = reachablePools();

    await expect(startRun({ input: { resumeRunId: 'nope' }, executionName: 'e2' }, deps)).rejects.toThrow(
      expect.objectContaining({ name: 'RunNotFoundError' }),
    );
  });

  it('refuses to start a second run under an existing id, pointing at resumeRunId', async () => {
    const { deps } = reachablePools();
    await openRun(table, 'exec-1');

    await expect(startRun({ input: {}, executionName: 'exec-1' }, deps)).rejects.toThrow(/resumeRunId/);
  });
});
