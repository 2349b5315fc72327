import { ManualClock } from '#shared/clock';
import {
  AdminAddUserToGroupCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  GroupExistsException,
  InternalErrorException,
  ResourceNotFoundException,
  TooManyRequestsException,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidInputError, TargetUnavailableError } from '#shared/errors';
import { groupKey } from '#shared/table/context';
import {
  applyGroupsToUser,
  TargetUserNotFoundError,
  type ApplyGroupsDeps,
} from '#shared/cognito/apply-groups';
import {
  aCognitoClient,
  aConfig,
  aTable,
  SOURCE_ROLE,
  spyLogger,
  TARGET_POOL,
  TARGET_ROLE,
} from '../../group-sync/fakes';
import { settle } from '../../../support/settle';

const cognitoMock = mockClient(CognitoIdentityProviderClient);
const ddbMock = mockClient(DynamoDBDocumentClient);
const meta = { $metadata: {} };

let clock: ManualClock;
let deps: ApplyGroupsDeps & { logger: ReturnType<typeof spyLogger> };

beforeEach(() => {
  cognitoMock.reset();
  ddbMock.reset();
  clock = new ManualClock(undefined, { jumpOnSleep: false });
  deps = { cognito: aCognitoClient(), table: aTable(clock), config: aConfig(), logger: spyLogger(), clock };
  cognitoMock.on(AdminAddUserToGroupCommand).resolves({});
  cognitoMock.on(CreateGroupCommand).resolves({});
  ddbMock.on(GetCommand).resolves({});
});

const groupMissingOnce = (groupName: string) =>
  cognitoMock
    .on(AdminAddUserToGroupCommand, { GroupName: groupName })
    .rejectsOnce(new ResourceNotFoundException({ message: 'Group not found.', ...meta }))
    .resolves({});

describe('applyGroupsToUser', () => {
  it('adds the user to every group in the target pool and reports them applied', async () => {
    const result = await applyGroupsToUser({ username: 'alice', groups: ['a', 'b', 'c'] }, deps);

    expect(result).toEqual({ applied: ['a', 'b', 'c'], remaining: [] });
    for (const group of ['a', 'b', 'c']) {
      expect(cognitoMock).toHaveReceivedCommandWith(AdminAddUserToGroupCommand, {
        UserPoolId: TARGET_POOL,
        Username: 'alice',
        GroupName: group,
      });
    }
  });

  it('adds a group listed twice only once', async () => {
    const result = await applyGroupsToUser({ username: 'alice', groups: ['a', 'a'] }, deps);

    expect(result.applied).toEqual(['a']);
    expect(cognitoMock).toHaveReceivedCommandTimes(AdminAddUserToGroupCommand, 1);
  });

  it('makes no call for a user without groups', async () => {
    const result = await applyGroupsToUser({ username: 'alice', groups: [] }, deps);

    expect(result).toEqual({ applied: [], remaining: [] });
    expect(cognitoMock.calls()).toHaveLength(0);
  });

  it('rejects a missing username before calling anything', async () => {
    await expect(applyGroupsToUser({ username: '', groups: ['a'] }, deps)).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    expect(cognitoMock.calls()).toHaveLength(0);
  });

  // AdminAddUserToGroup answers ResourceNotFoundException when the group does not exist.
  it('creates a group the target lacks from the snapshot item, with the mapped role, then adds the user', async () => {
    groupMissingOnce('admins');
    ddbMock.on(GetCommand, { Key: groupKey('admins') }).resolves({
      Item: {
        ...groupKey('admins'),
        groupName: 'admins',
        description: 'Admins',
        precedence: 1,
        sourceRoleArn: SOURCE_ROLE,
      },
    });

    const result = await applyGroupsToUser({ username: 'alice', groups: ['admins'] }, deps);

    expect(result.applied).toEqual(['admins']);
    expect(cognitoMock).toHaveReceivedCommandWith(CreateGroupCommand, {
      UserPoolId: TARGET_POOL,
      GroupName: 'admins',
      Description: 'Admins',
      Precedence: 1,
      RoleArn: TARGET_ROLE,
    });
    expect(cognitoMock).toHaveReceivedCommandTimes(AdminAddUserToGroupCommand, 2);
  });

  it('leaves an unmapped source role off the created group and logs a warning', async () => {
    groupMissingOnce('ops');
    const unmapped = 'arn:aws:iam::111111111111:role/ops';
    ddbMock
      .on(GetCommand, { Key: groupKey('ops') })
      .resolves({ Item: { ...groupKey('ops'), groupName: 'ops', sourceRoleArn: unmapped } });

    const result = await applyGroupsToUser({ username: 'alice', groups: ['ops'] }, deps);

    expect(result.applied).toEqual(['ops']);
    const created = cognitoMock.commandCalls(CreateGroupCommand)[0]!.args[0].input;
    expect(created).toEqual({ UserPoolId: TARGET_POOL, GroupName: 'ops' });
    expect(deps.logger.warn).toHaveBeenCalledWith(
      expect.any(String),
      expect.objectContaining({ reason: 'role-unmapped', group: 'ops', sourceRoleArn: unmapped }),
    );
  });

  it('still adds the user when another caller created the missing group first', async () => {
    groupMissingOnce('admins');
    cognitoMock.on(CreateGroupCommand).rejects(new GroupExistsException({ message: 'exists', ...meta }));

    const result = await applyGroupsToUser({ username: 'alice', groups: ['admins'] }, deps);

    expect(result.applied).toEqual(['admins']);
  });

  it('reports a throttled group as remaining and still applies the others', async () => {
    cognitoMock
      .on(AdminAddUserToGroupCommand, { GroupName: 'b' })
      .rejects(new TooManyRequestsException({ message: 'Rate exceeded', ...meta }));

    const result = await applyGroupsToUser({ username: 'alice', groups: ['a', 'b', 'c'] }, deps);

    expect(result).toEqual({ applied: ['a', 'c'], remaining: ['b'] });
    expect(deps.logger.warn).toHaveBeenCalledWith(
      expect.any(String),
      expect.objectContaining({ reason: 'throttled', group: 'b' }),
    );
  });

  it('reports a group whose creation failed transiently as remaining', async () => {
    groupMissingOnce('admins');
    cognitoMock.on(CreateGroupCommand).rejects(new InternalErrorException({ message: 'boom', ...meta }));

    const result = await applyGroupsToUser({ username: 'alice', groups: ['admins'] }, deps);

    expect(result).toEqual({ applied: [], remaining: ['admins'] });
  });

  it('throws TargetUserNotFoundError when the user is not in the target pool', async () => {
    cognitoMock
      .on(AdminAddUserToGroupCommand)
      .rejects(new UserNotFoundException({ message: 'User does not exist.', ...meta }));

    await expect(applyGroupsToUser({ username: 'ghost', groups: ['a'] }, deps)).rejects.toBeInstanceOf(
      TargetUserNotFoundError,
    );
  });

  it('throws TargetUnavailableError when the target pool itself does not exist', async () => {
    cognitoMock
      .on(AdminAddUserToGroupCommand)
      .rejects(new ResourceNotFoundException({ message: 'User pool does not exist.', ...meta }));
    cognitoMock
      .on(CreateGroupCommand)
      .rejects(new ResourceNotFoundException({ message: 'User pool does not exist.', ...meta }));

    await expect(applyGroupsToUser({ username: 'alice', groups: ['a'] }, deps)).rejects.toBeInstanceOf(
      TargetUnavailableError,
    );
  });

  it('starts no call after the deadline and returns the unstarted groups as remaining', async () => {
    cognitoMock.on(AdminAddUserToGroupCommand).callsFake(() => {
      clock.advance(300);
      return {};
    });

    const result = await applyGroupsToUser({ username: 'alice', groups: ['a', 'b', 'c', 'd', 'e'] }, deps, {
      deadlineMs: 1000,
      concurrency: 1,
    });

    // Calls start at 0, 300, 600 and 900 ms; the fourth ends after the deadline, the fifth never starts.
    expect(result).toEqual({ applied: ['a', 'b', 'c'], remaining: ['d', 'e'] });
    expect(cognitoMock).toHaveReceivedCommandTimes(AdminAddUserToGroupCommand, 4);
  });

  it('stops waiting for a call still in flight at the deadline and aborts it', async () => {
    cognitoMock
      .on(AdminAddUserToGroupCommand, { GroupName: 'slow' })
      .callsFake(() => new Promise(() => undefined));
    const send = jest.spyOn(deps.cognito, 'send');

    const pending = applyGroupsToUser({ username: 'alice', groups: ['fast', 'slow'] }, deps, {
      deadlineMs: 1000,
      concurrency: 2,
    });
    await settle();
    const slowCall = send.mock.calls.find((call) => JSON.stringify(call[0].input).includes('"slow"'));
    const signal = (slowCall?.[1] as { abortSignal?: AbortSignal } | undefined)?.abortSignal;
    clock.advance(1000);
    const result = await pending;

    expect(result).toEqual({ applied: ['fast'], remaining: ['slow'] });
    expect(signal?.aborted).toBe(true);
  });
});
