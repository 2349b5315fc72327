import { ManualClock } from '#shared/clock';
import { addCounters, getProgress } from '#shared/progress';
import { advanceCheckpoint, getRun } from '#shared/run-repository';
import type { TableContext } from '#shared/table-context';
import { getUser, recordMigrated, upsertSnapshot } from '#shared/user-repository';
import { finishSync } from '../../../functions/bulk-export/finish';
import { markPhaseStarted } from '../../../functions/bulk-export/run-phases';
import { startLocalTables, type LocalTableHarness } from '../../support/local-table';
import { aSourceUser } from '../../support/users';
import { fakeDeps, openRun } from './fakes';

let harness: LocalTableHarness;
let table: TableContext;
let clock: ManualClock;

beforeAll(async () => {
  harness = await startLocalTables();
});
afterAll(() => harness.close());
beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 10, 22, 13, 0));
  table = await harness.newTable(clock);
  await openRun(table);
});

const snapshot = async (username: string, runId?: string) => {
  const { created } = await upsertSnapshot(table, aSourceUser({ username }), runId ? { runId } : {});
  if (created) await addCounters(table, { total: 1, PENDING: 1 });
};
const shardDone = (shard: string, seen: number) =>
  advanceCheckpoint(table, 'run-1', `users#${shard}`, {
    fromCursor: undefined,
    toCursor: undefined,
    seen,
    done: true,
  });
const input = { runId: 'run-1', shards: ['0', '1'], budgetMs: 60_000, state: { seen: 0, sourceDeleted: 0 } };

describe('finishSync (the finish task)', () => {
  it('marks users this run did not see SOURCE_DELETED and counts the move', async () => {
    await snapshot('gone'); // from an earlier run
    await snapshot('here', 'run-1');
    await shardDone('0', 1);
    await shardDone('1', 0);
    const { deps } = fakeDeps(table);

    const result = await finishSync(input, deps);

    expect(result).toMatchObject({ done: true, seen: 1, sourceDeleted: 1 });
    expect(await getUser(table, 'gone')).toMatchObject({
      status: 'SOURCE_DELETED',
      reason: 'source-deleted',
    });
    expect(await getUser(table, 'here')).toMatchObject({ status: 'PENDING' });
    expect((await getProgress(table)).byStatus).toMatchObject({ PENDING: 1, SOURCE_DELETED: 1 });
  });

  it('leaves a migrated user alone when the source no longer has it', async () => {
    await snapshot('moved');
    await recordMigrated(table, 'moved', { method: 'password', targetUsername: 'moved' });
    await shardDone('0', 0);
    await shardDone('1', 0);
    const { deps } = fakeDeps(table);

    const result = await finishSync(input, deps);

    expect(result.sourceDeleted).toBe(0);
    expect(await getUser(table, 'moved')).toMatchObject({ status: 'MIGRATED' });
  });

  it('closes the run as SUCCEEDED with its counts and phase durations, and returns the summary', async () => {
    await markPhaseStarted(table, 'run-1', 'groups');
    clock.advance(10_000);
    await markPhaseStarted(table, 'run-1', 'users');
    clock.advance(100_000);
    await markPhaseStarted(table, 'run-1', 'memberships');
    await snapshot('a', 'run-1');
    await snapshot('b', 'run-1');
    await shardDone('0', 2);
    await shardDone('1', 0);
    clock.advance(5_000);
    const { deps } = fakeDeps(table);

    const result = await finishSync(input, deps);

    expect(result.summary).toMatchObject({
      runId: 'run-1',
      users: 2,
      groups: 0,
      memberships: 0,
      sourceDeleted: 0,
      durationsSeconds: expect.objectContaining({ groups: 10, users: 100, memberships: 5, total: 115 }),
    });
    expect(await getRun(table, 'run-1')).toMatchObject({
      status: 'SUCCEEDED',
      counts: { users: 2, groups: 0, memberships: 0, sourceDeleted: 0 },
      durationsSeconds: expect.objectContaining({ users: 100 }),
    });
  });

  it('fails with ShardIntegrityError when the shards counted more users than carry the run (a user seen twice)', async () => {
    await snapshot('a', 'run-1');
    await shardDone('0', 1);
    await shardDone('1', 1);
    const { deps } = fakeDeps(table);

    await expect(finishSync(input, deps)).rejects.toThrow(
      expect.objectContaining({ name: 'ShardIntegrityError', message: expect.stringMatching(/seen twice/) }),
    );
    expect((await getRun(table, 'run-1'))?.status).toBe('RUNNING');
  });

  it('fails with ShardIntegrityError when a shard has not finished', async () => {
    await shardDone('0', 0);
    const { deps } = fakeDeps(table);

    await expect(finishSync(input, deps)).rejects.toThrow(
      expect.objectContaining({
        name: 'ShardIntegrityError',
        message: expect.stringMatching(/Shards 1 did not finish/),
      }),
    );
  });

  it('gives the same counts when an invocation is replayed with the same state (a Step Functions retry)', async () => {
    await snapshot('gone');
    await snapshot('here', 'run-1');
    await shardDone('0', 1);
    await shardDone('1', 0);
    const { deps } = fakeDeps(table);
    await finishSync(input, deps);

    const replay = await finishSync(input, deps);

    expect(replay).toMatchObject({ done: true, seen: 1, sourceDeleted: 1 });
    expect((await getProgress(table)).byStatus).toMatchObject({ SOURCE_DELETED: 1 });
  });
});
