import { ListUsersInGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import { putGroup } from '#shared/table/groups';
import { getCheckpoint } from '#shared/table/runs';
import { getUser, upsertSnapshot } from '#shared/table/users';
import { syncMemberships } from '../../../functions/bulk-export/sync-memberships';
import { aSourceUser } from '../../support/users';
import { awsError, fakeDeps, openRun, useOpenRunTable } from './fakes';

const local = useOpenRunTable();
beforeEach(async () => {
  for (const username of ['ann', 'bob', 'cy']) await upsertSnapshot(local.table, aSourceUser({ username }));
  await putGroup(local.table, { groupName: 'admins' });
  await putGroup(local.table, { groupName: 'readers' });
});

const input = { runId: 'run-1', budgetMs: 60_000 };
const members = (...names: string[]) => ({ Users: names.map((Username) => ({ Username })) });

describe('syncMemberships (the memberships task)', () => {
  it("adds each group to its members' items", async () => {
    const { deps, sourceMock } = fakeDeps(local.table);
    sourceMock
      .on(ListUsersInGroupCommand, { GroupName: 'admins' })
      .resolves(members('ann'))
      .on(ListUsersInGroupCommand, { GroupName: 'readers' })
      .resolves(members('ann', 'bob'));

    const result = await syncMemberships(input, deps);

    expect(result).toEqual({ done: true, counted: 3, pages: 2 });
    expect((await getUser(local.table, 'ann'))?.groups).toEqual(['admins', 'readers']);
    expect((await getUser(local.table, 'bob'))?.groups).toEqual(['readers']);
    expect((await getUser(local.table, 'cy'))?.groups).toEqual([]);
  });

  it('pages ListUsersInGroup with the largest page (60) and its NextToken', async () => {
    const { deps, sourceMock } = fakeDeps(local.table);
    sourceMock
      .on(ListUsersInGroupCommand)
      .resolves(members())
      .on(ListUsersInGroupCommand, { GroupName: 'admins', NextToken: undefined })
      .resolves({ ...members('ann'), NextToken: 'n2' })
      .on(ListUsersInGroupCommand, { GroupName: 'admins', NextToken: 'n2' })
      .resolves(members('bob'));

    await syncMemberships(input, deps);

    expect(sourceMock).toHaveReceivedCommandWith(ListUsersInGroupCommand, {
      UserPoolId: 'us-east-1_source',
      GroupName: 'admins',
      Limit: 60,
      NextToken: 'n2',
    });
    expect((await getUser(local.table, 'bob'))?.groups).toEqual(['admins']);
  });

  it('hands back after its budget and the next invocation skips the groups already done', async () => {
    const { deps, sourceMock } = fakeDeps(local.table);
    sourceMock
      .on(ListUsersInGroupCommand, { GroupName: 'admins' })
      .callsFake(async () => {
        local.clock.advance(61_000);
        return members('ann');
      })
      .on(ListUsersInGroupCommand, { GroupName: 'readers' })
      .resolves(members('bob'));

    const first = await syncMemberships(input, deps);
    sourceMock.resetHistory();
    const second = await syncMemberships(input, deps);

    expect(first).toEqual({ done: false, cursor: 'readers', counted: 1, pages: 1 });
    expect(second).toEqual({ done: true, counted: 1, pages: 1 });
    expect(sourceMock).not.toHaveReceivedCommandWith(ListUsersInGroupCommand, { GroupName: 'admins' });
  });

  it('adds nothing twice when the same memberships are written again (a string-set ADD is idempotent)', async () => {
    const { deps, sourceMock } = fakeDeps(local.table);
    sourceMock.on(ListUsersInGroupCommand).resolves(members('ann'));
    await syncMemberships(input, deps);
    await openRun(local.table, 'run-2');

    await syncMemberships({ ...input, runId: 'run-2' }, deps);

    expect((await getUser(local.table, 'ann'))?.groups).toEqual(['admins', 'readers']);
  });

  it('skips a member the snapshot lacks (created after its shard was listed) without failing', async () => {
    const { deps, sourceMock } = fakeDeps(local.table);
    sourceMock.on(ListUsersInGroupCommand).resolves(members('newcomer', 'ann'));

    const result = await syncMemberships(input, deps);

    expect(result.done).toBe(true);
    expect(await getUser(local.table, 'newcomer')).toBeUndefined();
    expect((await getUser(local.table, 'ann'))?.groups).toEqual(['admins', 'readers']);
  });

  it('treats a group deleted from the source since an earlier run (ResourceNotFoundException) as empty', async () => {
    const { deps, sourceMock } = fakeDeps(local.table);
    sourceMock
      .on(ListUsersInGroupCommand, { GroupName: 'admins' })
      .rejects(awsError('ResourceNotFoundException', 'Group not found.'))
      .on(ListUsersInGroupCommand, { GroupName: 'readers' })
      .resolves(members('cy'));

    const result = await syncMemberships(input, deps);

    expect(result.done).toBe(true);
    expect(await getCheckpoint(local.table, 'run-1', 'members#admins')).toMatchObject({
      done: true,
      seen: 0,
    });
  });

  it('fails with SourceThrottledError on TooManyRequestsException', async () => {
    const { deps, sourceMock } = fakeDeps(local.table);
    sourceMock.on(ListUsersInGroupCommand).rejects(awsError('TooManyRequestsException'));

    await expect(syncMemberships(input, deps)).rejects.toThrow(
      expect.objectContaining({ name: 'SourceThrottledError' }),
    );
  });
});
