import { DescribeUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { ManualClock } from '#shared/clock';
import { getRun } from '#shared/table/runs';
import type { TableContext } from '#shared/table/context';
import { startRun } from '../../../functions/bulk-export/start';
import { useLocalTable } from '../../support/local-table';
import { aConfig, awsError, fakeDeps, openRun } from './fakes';

const local = useLocalTable(() => new ManualClock(Date.UTC(2026, 10, 22, 13, 0)));
let table: TableContext;

beforeEach(async () => {
  table = local.table;
});

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
    const config = aConfig({ target: { userPoolId: 'us-east-1_source' } });
    const { deps } = fakeDeps(table, config);

    await expect(startRun({ input: {}, executionName: 'exec-1' }, deps)).rejects.toThrow(
      expect.objectContaining({ name: 'ConfigError' }),
    );
  });

  it('resumes an existing run with its own shards, and marks it running again', async () => {
    const { deps } = reachablePools();
    await openRun(table, 'run-1');

    const context = await startRun(
      { input: { resumeRunId: 'run-1', maxConcurrency: 2 }, executionName: 'e2' },
      deps,
    );

    expect(context).toMatchObject({ runId: 'run-1', resumed: true, maxConcurrency: 2 });
    expect(context.shards).toHaveLength(16);
    expect((await getRun(table, 'run-1'))?.resumedAt).toHaveLength(1);
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
