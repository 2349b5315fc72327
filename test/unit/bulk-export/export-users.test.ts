import { ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { findUsernamesByLoginKey } from '#shared/table/login-keys';
import { getProgress, addCounters } from '#shared/table/progress';
import { advanceCheckpoint, getCheckpoint } from '#shared/table/runs';
import { getUser, recordMigrated, upsertSnapshot } from '#shared/table/users';
import { exportUsers } from '../../../functions/bulk-export/export-users';
import { aListedUser, awsError, fakeDeps, subWith, useOpenRunTable } from './fakes';

const local = useOpenRunTable();

const input = { runId: 'run-1', shard: 'a', workers: 4, budgetMs: 60_000 };
const page = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => aListedUser(subWith('a', from + i)));

describe('exportUsers (the users task)', () => {
  it('lists its shard with ListUsers filter sub ^= "<prefix>" and the largest page (60)', async () => {
    const { deps, sourceMock } = fakeDeps(local.table);
    sourceMock.on(ListUsersCommand).resolves({ Users: page(0, 2) });

    await exportUsers(input, deps);

    expect(sourceMock).toHaveReceivedCommandWith(ListUsersCommand, {
      UserPoolId: 'us-east-1_source',
      Filter: 'sub ^= "a"',
      Limit: 60,
    });
  });

  it('takes a source client metered for its share of the concurrent shards, and gives it back', async () => {
    const { deps, sourceMock, shardRequests } = fakeDeps(local.table);
    sourceMock.on(ListUsersCommand).resolves({ Users: [] });

    await exportUsers(input, deps);

    expect(shardRequests).toEqual([{ workers: 4, released: true }]);
  });

  it('gives its source client back when it fails', async () => {
    const { deps, sourceMock, shardRequests } = fakeDeps(local.table);
    sourceMock.on(ListUsersCommand).rejects(awsError('TooManyRequestsException'));

    await expect(exportUsers(input, deps)).rejects.toThrow();

    expect(shardRequests).toEqual([{ workers: 4, released: true }]);
  });

  it('snapshots every user of every page, with status, enabled flag, old sub and dates, as PENDING', async () => {
    const { deps, sourceMock } = fakeDeps(local.table);
    const disabled = aListedUser(subWith('a', 99), {
      username: 'Disabled.User',
      status: 'UNCONFIRMED',
      enabled: false,
      attributes: { 'custom:tenant': 'acme' },
    });
    sourceMock
      .on(ListUsersCommand, { PaginationToken: undefined })
      .resolves({ Users: page(0, 60), PaginationToken: 'p2' })
      .on(ListUsersCommand, { PaginationToken: 'p2' })
      .resolves({ Users: [disabled] });

    const result = await exportUsers(input, deps);

    expect(result).toEqual({ done: true, counted: 61, pages: 2 });
    expect(await getUser(local.table, 'Disabled.User')).toMatchObject({
      username: 'Disabled.User',
      sub: subWith('a', 99),
      status: 'PENDING',
      userStatus: 'UNCONFIRMED',
      enabled: false,
      attributes: expect.objectContaining({ 'custom:tenant': 'acme', sub: subWith('a', 99) }),
      createdAt: '2024-01-01T00:00:00.000Z',
      modifiedAt: '2024-02-01T00:00:00.000Z',
      lastRunId: 'run-1',
      shard: 'a',
    });
    expect(await getCheckpoint(local.table, 'run-1', 'users#a')).toMatchObject({
      seen: 61,
      pages: 2,
      done: true,
    });
  });

  it('writes lowercased login keys, so names differing only by case are found as ambiguous', async () => {
    const { deps, sourceMock } = fakeDeps(local.table);
    sourceMock.on(ListUsersCommand).resolves({
      Users: [
        aListedUser(subWith('a', 1), { username: 'Alice', attributes: { email: 'alice@example.com' } }),
        aListedUser(subWith('a', 2), { username: 'alice', attributes: { email: 'other@example.com' } }),
      ],
    });

    await exportUsers(input, deps);

    expect(await findUsernamesByLoginKey(local.table, 'ALICE')).toEqual(['Alice', 'alice']);
    expect(await findUsernamesByLoginKey(local.table, 'Alice@Example.com')).toEqual(['Alice']);
  });

  it('adds each new user to the counters once', async () => {
    const { deps, sourceMock } = fakeDeps(local.table);
    sourceMock.on(ListUsersCommand).resolves({ Users: page(0, 3) });

    await exportUsers(input, deps);

    expect(await getProgress(local.table)).toMatchObject({
      total: 3,
      byStatus: expect.objectContaining({ PENDING: 3 }),
    });
  });

  it('reports the users it counted for the UsersExported metric, and nothing for a replayed page', async () => {
    const { deps, sourceMock } = fakeDeps(local.table);
    const reported: number[] = [];
    deps.countExported = (users) => reported.push(users);
    sourceMock.on(ListUsersCommand).resolves({ Users: page(0, 3) });

    await exportUsers(input, deps);
    await exportUsers(input, deps);

    expect(reported).toEqual([3, 0]);
  });

  it('refreshes a user already migrated without resetting it to PENDING or counting it again', async () => {
    const { deps, sourceMock } = fakeDeps(local.table);
    const [listed] = page(0, 1);
    const snapshot = {
      username: listed!.Username!,
      sub: subWith('a', 0),
      attributes: {},
      userStatus: 'CONFIRMED',
      enabled: true,
    };
    await upsertSnapshot(local.table, snapshot);
    await addCounters(local.table, { total: 1, PENDING: 1 });
    await recordMigrated(local.table, snapshot.username, {
      method: 'password',
      targetUsername: snapshot.username,
    });
    sourceMock.on(ListUsersCommand).resolves({ Users: [listed!] });

    await exportUsers(input, deps);

    expect(await getUser(local.table, snapshot.username)).toMatchObject({
      status: 'MIGRATED',
      attributes: expect.objectContaining({ email: `${snapshot.username}@example.com` }),
    });
    expect(await getProgress(local.table)).toMatchObject({
      total: 1,
      byStatus: expect.objectContaining({ MIGRATED: 1, PENDING: 0 }),
    });
  });

  it('pages only until its budget is spent, and the next invocation continues from the checkpointed token', async () => {
    const { deps, sourceMock } = fakeDeps(local.table);
    sourceMock
      .on(ListUsersCommand, { PaginationToken: undefined })
      .callsFake(async () => {
        local.clock.advance(61_000);
        return { Users: page(0, 60), PaginationToken: 'p2' };
      })
      .on(ListUsersCommand, { PaginationToken: 'p2' })
      .resolves({ Users: page(60, 5) });

    const first = await exportUsers(input, deps);
    sourceMock.resetHistory();
    const second = await exportUsers(input, deps);

    expect(first).toEqual({ done: false, cursor: 'p2', counted: 60, pages: 1 });
    expect(second).toEqual({ done: true, counted: 5, pages: 1 });
    expect(sourceMock).toHaveReceivedCommandTimes(ListUsersCommand, 1);
    expect(sourceMock).toHaveReceivedCommandWith(ListUsersCommand, { PaginationToken: 'p2' });
  });

  it('counts nothing for a page someone else already checkpointed (a replay after a crash)', async () => {
    const { deps, sourceMock } = fakeDeps(local.table);
    sourceMock.on(ListUsersCommand).callsFake(async () => {
      // A duplicate invocation checkpoints the same page first.
      await advanceCheckpoint(local.table, 'run-1', 'users#a', {
        fromCursor: undefined,
        toCursor: undefined,
        seen: 2,
        done: true,
      });
      return { Users: page(0, 2) };
    });

    const result = await exportUsers(input, deps);

    expect(result).toEqual({ done: true, counted: 0, pages: 0 });
    expect(await getCheckpoint(local.table, 'run-1', 'users#a')).toMatchObject({ seen: 2, pages: 1 });
  });

  it('does nothing when its shard is already done (a resumed run)', async () => {
    const { deps, sourceMock } = fakeDeps(local.table);
    await advanceCheckpoint(local.table, 'run-1', 'users#a', {
      fromCursor: undefined,
      toCursor: undefined,
      seen: 7,
      done: true,
    });

    const result = await exportUsers(input, deps);

    expect(result).toEqual({ done: true, counted: 0, pages: 0 });
    expect(sourceMock).not.toHaveReceivedCommand(ListUsersCommand);
  });

  it('fails with ShardIntegrityError, writing nothing, when a user outside the shard is listed', async () => {
    const { deps, sourceMock } = fakeDeps(local.table);
    sourceMock.on(ListUsersCommand).resolves({ Users: [aListedUser(subWith('b', 1))] });

    await expect(exportUsers(input, deps)).rejects.toThrow(
      expect.objectContaining({ name: 'ShardIntegrityError' }),
    );
    expect(await getProgress(local.table)).toMatchObject({ total: 0 });
  });

  it('fails with SourceThrottledError on TooManyRequestsException, leaving the checkpoint where it was', async () => {
    const { deps, sourceMock } = fakeDeps(local.table);
    sourceMock
      .on(ListUsersCommand, { PaginationToken: undefined })
      .resolves({ Users: page(0, 60), PaginationToken: 'p2' })
      .on(ListUsersCommand, { PaginationToken: 'p2' })
      .rejects(awsError('TooManyRequestsException', 'Rate exceeded'));

    await expect(exportUsers(input, deps)).rejects.toThrow(
      expect.objectContaining({ name: 'SourceThrottledError' }),
    );
    expect(await getCheckpoint(local.table, 'run-1', 'users#a')).toMatchObject({
      cursor: 'p2',
      seen: 60,
      done: false,
    });
  });

  it('fails with RunNotFoundError when its run was never opened', async () => {
    const { deps, sourceMock } = fakeDeps(local.table);
    sourceMock.on(ListUsersCommand).resolves({ Users: [] });

    await expect(exportUsers({ ...input, runId: 'missing' }, deps)).rejects.toThrow(
      expect.objectContaining({ name: 'RunNotFoundError' }),
    );
  });
});
