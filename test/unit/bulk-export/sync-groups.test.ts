import {
  CreateGroupCommand,
  GroupExistsException,
  ListGroupsCommand,
  UpdateGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ManualClock } from '#shared/clock';
import { getGroup } from '#shared/table/groups';
import { getCheckpoint } from '#shared/table/runs';
import type { TableContext } from '#shared/table/context';
import { syncGroups } from '../../../functions/bulk-export/sync-groups';
import { useLocalTable } from '../../support/local-table';
import { aConfig, awsError, fakeDeps, openRun } from './fakes';

const local = useLocalTable(() => new ManualClock(Date.UTC(2026, 10, 22, 13, 0)));
let table: TableContext;

beforeEach(async () => {
  table = local.table;
  await openRun(table);
});

const SOURCE_ROLE = 'arn:aws:iam::111111111111:role/source-admins';
const TARGET_ROLE = 'arn:aws:iam::222222222222:role/target-admins';
const input = { runId: 'run-1', budgetMs: 60_000 };

describe('syncGroups (the groups task)', () => {
  it('creates each source group in the target with its description and precedence, and snapshots it', async () => {
    const { deps, sourceMock, targetMock } = fakeDeps(table);
    sourceMock
      .on(ListGroupsCommand)
      .resolves({ Groups: [{ GroupName: 'readers', Description: 'Read', Precedence: 5 }] });
    targetMock.on(CreateGroupCommand).resolves({});

    const result = await syncGroups(input, deps);

    expect(result).toEqual({ done: true, counted: 1, pages: 1 });
    expect(targetMock).toHaveReceivedCommandWith(CreateGroupCommand, {
      UserPoolId: 'us-east-1_target',
      GroupName: 'readers',
      Description: 'Read',
      Precedence: 5,
    });
    expect(await getGroup(table, 'readers')).toEqual({
      groupName: 'readers',
      description: 'Read',
      precedence: 5,
    });
  });

  it('gives a target group a role only through groupRoleArnMap (the source role does not exist in the target account)', async () => {
    const config = aConfig({ groupRoleArnMap: { [SOURCE_ROLE]: TARGET_ROLE } });
    const { deps, sourceMock, targetMock } = fakeDeps(table, config);
    sourceMock.on(ListGroupsCommand).resolves({
      Groups: [
        { GroupName: 'admins', RoleArn: SOURCE_ROLE },
        { GroupName: 'ops', RoleArn: 'arn:aws:iam::111111111111:role/unmapped' },
      ],
    });
    targetMock.on(CreateGroupCommand).resolves({});

    await syncGroups(input, deps);

    expect(targetMock).toHaveReceivedCommandWith(CreateGroupCommand, {
      GroupName: 'admins',
      RoleArn: TARGET_ROLE,
    });
    const ops = targetMock.commandCalls(CreateGroupCommand).find((c) => c.args[0].input.GroupName === 'ops');
    expect(ops?.args[0].input.RoleArn).toBeUndefined();
    expect(await getGroup(table, 'admins')).toMatchObject({ sourceRoleArn: SOURCE_ROLE });
  });

  it('updates a group that already exists in the target (GroupExistsException), sending every field', async () => {
    const { deps, sourceMock, targetMock } = fakeDeps(table);
    sourceMock
      .on(ListGroupsCommand)
      .resolves({ Groups: [{ GroupName: 'readers', Description: 'New', Precedence: 1 }] });
    targetMock
      .on(CreateGroupCommand)
      .rejects(new GroupExistsException({ message: 'A group with the name already exists.', $metadata: {} }))
      .on(UpdateGroupCommand)
      .resolves({});

    const result = await syncGroups(input, deps);

    expect(result.done).toBe(true);
    expect(targetMock).toHaveReceivedCommandWith(UpdateGroupCommand, {
      UserPoolId: 'us-east-1_target',
      GroupName: 'readers',
      Description: 'New',
      Precedence: 1,
    });
  });

  it('follows NextToken through every page of ListGroups', async () => {
    const { deps, sourceMock, targetMock } = fakeDeps(table);
    sourceMock
      .on(ListGroupsCommand, { NextToken: undefined })
      .resolves({ Groups: [{ GroupName: 'a' }], NextToken: 't2' })
      .on(ListGroupsCommand, { NextToken: 't2' })
      .resolves({ Groups: [{ GroupName: 'b' }] });
    targetMock.on(CreateGroupCommand).resolves({});

    const result = await syncGroups(input, deps);

    expect(result).toEqual({ done: true, counted: 2, pages: 2 });
    expect(await getCheckpoint(table, 'run-1', 'groups')).toMatchObject({ seen: 2, done: true });
  });

  it('fails with TargetThrottledError on TooManyRequestsException from CreateGroup, without checkpointing the page', async () => {
    const { deps, sourceMock, targetMock } = fakeDeps(table);
    sourceMock.on(ListGroupsCommand).resolves({ Groups: [{ GroupName: 'a' }] });
    targetMock.on(CreateGroupCommand).rejects(awsError('TooManyRequestsException'));

    await expect(syncGroups(input, deps)).rejects.toThrow(
      expect.objectContaining({ name: 'TargetThrottledError' }),
    );
    expect(await getCheckpoint(table, 'run-1', 'groups')).toMatchObject({ seen: 0, done: false });
  });
});
