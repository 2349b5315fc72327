import { addCounters, getProgress } from '#shared/table/progress';
import { acquireLease } from '#shared/table/leases';
import { advanceCheckpoint, createRun, getRun } from '#shared/table/runs';
import { getUser, recordMigrated, upsertSnapshot } from '#shared/table/users';
import { finishSync } from '../../../functions/bulk-export/finish';
import { markPhaseStarted } from '#shared/table/run-phases';
import { aSourceUser } from '../../support/users';
import { fakeDeps, useOpenRunTable } from './fakes';

const local = useOpenRunTable();

const snapshot = async (username: string, runId?: string) => {
  const { created } = await upsertSnapshot(local.table, aSourceUser({ username }), runId ? { runId } : {});
  if (created) await addCounters(local.table, { total: 1, PENDING: 1 });
};
const shardDone = (shard: string, seen: number) =>
  advanceCheckpoint(local.table, 'run-1', `users#${shard}`, {
    fromCursor: undefined,
    toCursor: undefined,
    seen,
    done: true,
  });
const input = {
  runId: 'run-1',
  execution: 'run-1',
  shards: ['0', '1'],
  budgetMs: 60_000,
  state: { seen: 0, sourceDeleted: 0 },
};

describe('finishSync (the finish task)', () => {
  it('marks users this run did not see SOURCE_DELETED and counts the move', async () => {
    await snapshot('gone'); // from an earlier run
    await snapshot('here', 'run-1');
    await shardDone('0', 1);
    await shardDone('1', 0);
    const { deps } = fakeDeps(local.table);

    const result = await finishSync(input, deps);

    expect(result).toMatchObject({ done: true, seen: 1, sourceDeleted: 1 });
    expect(await getUser(local.table, 'gone')).toMatchObject({
      status: 'SOURCE_DELETED',
      reason: 'source-deleted',
    });
    expect(await getUser(local.table, 'here')).toMatchObject({ status: 'PENDING' });
    expect((await getProgress(local.table)).byStatus).toMatchObject({ PENDING: 1, SOURCE_DELETED: 1 });
  });

  it('leaves a migrated user alone when the source no longer has it', async () => {
    await snapshot('moved');
    await recordMigrated(local.table, 'moved', { method: 'password', targetUsername: 'moved' });
    await shardDone('0', 0);
    await shardDone('1', 0);
    const { deps } = fakeDeps(local.table);

    const result = await finishSync(input, deps);

    expect(result.sourceDeleted).toBe(0);
    expect(await getUser(local.table, 'moved')).toMatchObject({ status: 'MIGRATED' });
  });

  it('closes the run as SUCCEEDED with its counts and phase durations, and returns the summary', async () => {
    await markPhaseStarted(local.table, 'run-1', 'groups');
    local.clock.advance(10_000);
    await markPhaseStarted(local.table, 'run-1', 'users');
    local.clock.advance(100_000);
    await markPhaseStarted(local.table, 'run-1', 'memberships');
    await snapshot('a', 'run-1');
    await snapshot('b', 'run-1');
    await shardDone('0', 2);
    await shardDone('1', 0);
    local.clock.advance(5_000);
    const { deps } = fakeDeps(local.table);

    const result = await finishSync(input, deps);

    expect(result.summary).toMatchObject({
      runId: 'run-1',
      users: 2,
      groups: 0,
      memberships: 0,
      sourceDeleted: 0,
      durationsSeconds: expect.objectContaining({ groups: 10, users: 100, memberships: 5, total: 115 }),
    });
    expect(await getRun(local.table, 'run-1')).toMatchObject({
      status: 'SUCCEEDED',
      counts: { users: 2, groups: 0, memberships: 0, sourceDeleted: 0 },
      durationsSeconds: expect.objectContaining({ users: 100 }),
    });
  });

  it('fails with ShardIntegrityError when the shards counted more users than carry the run (a user seen twice)', async () => {
    await snapshot('a', 'run-1');
    await shardDone('0', 1);
    await shardDone('1', 1);
    const { deps } = fakeDeps(local.table);

    await expect(finishSync(input, deps)).rejects.toThrow(
      expect.objectContaining({ name: 'ShardIntegrityError', message: expect.stringMatching(/seen twice/) }),
    );
    expect((await getRun(local.table, 'run-1'))?.status).toBe('RUNNING');
  });

  it('fails with ShardIntegrityError when a shard has not finished', async () => {
    await shardDone('0', 0);
    const { deps } = fakeDeps(local.table);

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
    const { deps } = fakeDeps(local.table);
    await finishSync(input, deps);

    const replay = await finishSync(input, deps);

    expect(replay).toMatchObject({ done: true, seen: 1, sourceDeleted: 1 });
    expect((await getProgress(local.table)).byStatus).toMatchObject({ SOURCE_DELETED: 1 });
  });

  it('checks integrity before it marks anyone: a run whose counts do not add up marks nobody SOURCE_DELETED', async () => {
    await snapshot('live-elsewhere'); // written by another run, not this one
    await snapshot('a', 'run-1');
    await shardDone('0', 1);
    await shardDone('1', 1); // one more than carry the run
    const { deps } = fakeDeps(local.table);

    await expect(finishSync(input, deps)).rejects.toThrow(
      expect.objectContaining({ name: 'ShardIntegrityError' }),
    );
    expect(await getUser(local.table, 'live-elsewhere')).toMatchObject({ status: 'PENDING' });
  });

  it('marks nobody SOURCE_DELETED once a later run exists (it is no longer the latest)', async () => {
    await snapshot('gone');
    await snapshot('here', 'run-1');
    await shardDone('0', 1);
    await shardDone('1', 0);
    local.clock.advance(1000);
    await createRun(local.table, 'run-2', {}); // started after run-1 (as a takeover would)
    const { deps } = fakeDeps(local.table);

    await expect(finishSync(input, deps)).rejects.toThrow(
      expect.objectContaining({ name: 'RunSupersededError' }),
    );
    expect(await getUser(local.table, 'gone')).toMatchObject({ status: 'PENDING' });
  });

  it('marks nobody SOURCE_DELETED once its lease was taken over', async () => {
    await snapshot('gone');
    await snapshot('here', 'run-1');
    await shardDone('0', 1);
    await shardDone('1', 0);
    local.clock.advance(900_001);
    await acquireLease(local.table, 'bulk-sync', {
      owner: 'run-1',
      holder: 'resume-1',
      ttlMs: 900_000,
      takeOver: true,
    });
    const { deps } = fakeDeps(local.table);

    await expect(finishSync(input, deps)).rejects.toThrow(
      expect.objectContaining({ name: 'LeaseLostError' }),
    );
    expect(await getUser(local.table, 'gone')).toMatchObject({ status: 'PENDING' });
  });

  it('starts no write the lease would not outlive: a page cut short is replayed after the lease is renewed', async () => {
    await snapshot('gone-1');
    await snapshot('gone-2');
    await shardDone('0', 0);
    await shardDone('1', 0);
    const { deps } = fakeDeps(local.table);
    // The clock jumps to just before the lease's end as soon as the sweep writes: the next write must wait.
    const send = deps.table.doc.send.bind(deps.table.doc);
    let jumped = false;
    const doc = Object.create(deps.table.doc) as typeof deps.table.doc;
    doc.send = ((command: { input: { Key?: { pk?: string } } }) => {
      if (!jumped && String(command.input.Key?.pk ?? '').startsWith('USER#')) {
        jumped = true;
        local.clock.advance(900_000 - 1000);
      }
      return send(command as never);
    }) as typeof doc.send;

    const cut = await finishSync(input, { ...deps, table: { ...deps.table, doc } });
    const { done: _done, ...state } = cut;
    const result = await finishSync({ ...input, state }, deps); // the state machine's next round

    expect(cut).toMatchObject({ done: false, phase: 'sweep', sourceDeleted: 0 });
    expect(result).toMatchObject({ done: true, sourceDeleted: 2 });
    expect((await getProgress(local.table)).byStatus).toMatchObject({ SOURCE_DELETED: 2, PENDING: 0 });
  });
});
