import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
  InternalErrorException,
  NotAuthorizedException,
  TooManyRequestsException,
  UsernameExistsException,
  UserNotFoundException,
  type UserStatusType,
} from '@aws-sdk/client-cognito-identity-provider';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ManualClock } from '#shared/clock';
import { addCounters } from '#shared/table/progress';
import { userKey, type TableContext } from '#shared/table/context';
import {
  addUserGroups,
  getUser,
  recordMigrated,
  transitionStatus,
  upsertSnapshot,
} from '#shared/table/users';
import { resetFlaggedUser } from '../../../functions/reconcile/campaign-user';
import { useLocalTable } from '../../support/local-table';
import { aSourceUser } from '../../support/users';
import { aTargetSchema, fakeDeps } from './fakes';

const local = useLocalTable(() => new ManualClock(Date.UTC(2026, 11, 2)));
let table: TableContext;

beforeEach(async () => {
  table = local.table;
});

/** Source subs by username: a user the campaign created carries it as its legacy sub. */
const legacySubs = new Map<string, string>();

const flagged = async (overrides: Parameters<typeof aSourceUser>[0] = {}, groups: string[] = []) => {
  const user = aSourceUser(overrides);
  legacySubs.set(user.username, user.sub);
  await upsertSnapshot(table, user);
  await addCounters(table, { total: 1, PENDING: 1 });
  await addUserGroups(table, user.username, groups);
  await transitionStatus(table, user.username, { from: ['PENDING'], to: 'FLAGGED_FOR_RESET' });
  return user;
};

const setMarker = (username: string, name: string) =>
  table.doc.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: userKey(username),
      UpdateExpression: 'SET #m = :v',
      ExpressionAttributeNames: { '#m': name },
      ExpressionAttributeValues: { ':v': '2026-12-01T00:00:00.000Z' },
    }),
  );

const targetUser = (username: string, status: UserStatusType, enabled = true) => ({
  Username: username,
  UserStatus: status,
  Enabled: enabled,
  UserAttributes: legacySubs.has(username)
    ? [{ Name: 'custom:legacy_sub', Value: legacySubs.get(username) }]
    : [],
});

describe('resetFlaggedUser', () => {
  it('creates the user suppressed with mapped attributes, sets a random password, restores groups, resets, marks RESET_SENT', async () => {
    const user = await flagged({ username: 'ann' }, ['admins']);
    const { deps, targetMock } = fakeDeps(table);
    targetMock
      .on(AdminCreateUserCommand)
      .resolves({ User: { Username: 'ann', UserStatus: 'FORCE_CHANGE_PASSWORD', Enabled: true } });

    const outcome = await resetFlaggedUser('ann', deps, aTargetSchema());

    expect(outcome).toEqual({ username: 'ann', outcome: 'reset-sent' });
    const create = targetMock.commandCalls(AdminCreateUserCommand)[0]!.args[0].input;
    expect(create).toMatchObject({ Username: 'ann', MessageAction: 'SUPPRESS' });
    expect(create.UserAttributes).toEqual(
      expect.arrayContaining([
        { Name: 'email_verified', Value: 'true' },
        { Name: 'custom:legacy_sub', Value: user.sub },
      ]),
    );
    expect(create.UserAttributes?.some((a) => a.Name === 'sub')).toBe(false);
    // AdminResetUserPassword refuses a FORCE_CHANGE_PASSWORD user, hence the permanent password first.
    expect(targetMock).toHaveReceivedCommandWith(AdminSetUserPasswordCommand, {
      Username: 'ann',
      Permanent: true,
    });
    expect(targetMock).toHaveReceivedCommandWith(AdminAddUserToGroupCommand, {
      Username: 'ann',
      GroupName: 'admins',
    });
    expect(targetMock).toHaveReceivedCommandTimes(AdminResetUserPasswordCommand, 1);
    expect(await getUser(table, 'ann')).toMatchObject({
      status: 'RESET_SENT',
      method: 'reset-campaign',
      groupsApplied: true,
    });
  });

  it('creates a disabled source user disabled with their groups, sends no code, and marks NEEDS_ADMIN (DISABLED_IN_SOURCE)', async () => {
    await flagged({ username: 'dora', enabled: false }, ['staff']);
    const { deps, targetMock } = fakeDeps(table);
    targetMock
      .on(AdminCreateUserCommand)
      .resolves({ User: { Username: 'dora', UserStatus: 'FORCE_CHANGE_PASSWORD', Enabled: true } });

    const outcome = await resetFlaggedUser('dora', deps, aTargetSchema());

    expect(outcome).toEqual({ username: 'dora', outcome: 'needs-admin', reason: 'DISABLED_IN_SOURCE' });
    // Disabled before anything else; a permanent random password so an administrator's later
    // AdminResetUserPassword is not refused (Cognito refuses it for FORCE_CHANGE_PASSWORD).
    const order = targetMock.calls().map((call) => call.args[0].constructor.name);
    expect(order).toEqual([
      'AdminCreateUserCommand',
      'AdminDisableUserCommand',
      'AdminSetUserPasswordCommand',
      'AdminAddUserToGroupCommand',
    ]);
    expect(targetMock).not.toHaveReceivedCommand(AdminResetUserPasswordCommand);
    expect(await getUser(table, 'dora')).toMatchObject({
      status: 'NEEDS_ADMIN',
      reason: 'DISABLED_IN_SOURCE',
      groupsApplied: true,
    });
  });

  it.each([
    ['federated (EXTERNAL_PROVIDER)', { userStatus: 'EXTERNAL_PROVIDER' }, 'FEDERATED_USER'],
    [
      'linked to an identity provider (identities attribute)',
      {
        attributes: {
          email: 'fed@x.io',
          email_verified: 'true',
          identities: '[{"providerName":"Google","userId":"1"}]',
        },
      },
      'FEDERATED_USER',
    ],
    ['UNCONFIRMED', { userStatus: 'UNCONFIRMED' }, 'SOURCE_UNCONFIRMED'],
  ])(
    'creates nothing in the target for a %s source user with a verified email: NEEDS_ADMIN',
    async (_case, overrides, reason) => {
      await flagged({ username: 'fay', ...overrides });
      const { deps, targetMock } = fakeDeps(table);

      const outcome = await resetFlaggedUser('fay', deps, aTargetSchema());

      expect(outcome).toEqual({ username: 'fay', outcome: 'needs-admin', reason });
      expect(targetMock.calls()).toHaveLength(0);
      expect(await getUser(table, 'fay')).toMatchObject({ status: 'NEEDS_ADMIN', reason });
    },
  );

  it('on a throttled AdminResetUserPassword (TooManyRequestsException: not applied), clears the marker and propagates; the rerun resets once', async () => {
    await flagged({ username: 'tia' });
    const { deps, targetMock } = fakeDeps(table);
    targetMock
      .on(AdminCreateUserCommand)
      .resolves({ User: { Username: 'tia', UserStatus: 'FORCE_CHANGE_PASSWORD', Enabled: true } })
      .on(AdminResetUserPasswordCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }))
      .resolves({});

    await expect(resetFlaggedUser('tia', deps, aTargetSchema())).rejects.toThrow('Rate exceeded');
    const between = (await getUser(table, 'tia')) as Record<string, unknown> | undefined;
    targetMock.on(AdminGetUserCommand).resolves(targetUser('tia', 'CONFIRMED'));
    const rerun = await resetFlaggedUser('tia', deps, aTargetSchema());

    expect(between).toMatchObject({ status: 'FLAGGED_FOR_RESET', createRequestedAt: expect.any(String) });
    expect(between).not.toHaveProperty('resetRequestedAt');
    expect(rerun).toEqual({ username: 'tia', outcome: 'reset-sent' });
    expect(targetMock).toHaveReceivedCommandTimes(AdminCreateUserCommand, 1);
    expect(targetMock).toHaveReceivedCommandTimes(AdminResetUserPasswordCommand, 2);
    expect((await getUser(table, 'tia'))?.status).toBe('RESET_SENT');
  });

  it('on a throttled AdminSetUserPassword (not applied), releases the password marker so the rerun goes on at once', async () => {
    await flagged({ username: 'ria' });
    const { deps, targetMock } = fakeDeps(table);
    targetMock
      .on(AdminCreateUserCommand)
      .resolves({ User: { Username: 'ria', UserStatus: 'FORCE_CHANGE_PASSWORD', Enabled: true } })
      .on(AdminSetUserPasswordCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }))
      .resolves({});

    await expect(resetFlaggedUser('ria', deps, aTargetSchema())).rejects.toThrow('Rate exceeded');
    const between = (await getUser(table, 'ria')) as Record<string, unknown> | undefined;
    targetMock.on(AdminGetUserCommand).resolves(targetUser('ria', 'FORCE_CHANGE_PASSWORD'));
    const rerun = await resetFlaggedUser('ria', deps, aTargetSchema());

    expect(between).not.toHaveProperty('passwordSetRequestedAt');
    expect(rerun).toEqual({ username: 'ria', outcome: 'reset-sent' });
    expect(targetMock).toHaveReceivedCommandTimes(AdminSetUserPasswordCommand, 2);
  });

  it.each([
    ['a timeout', Object.assign(new Error('socket timed out'), { name: 'TimeoutError' })],
    ['a 5xx', new InternalErrorException({ message: 'internal error', $metadata: {} })],
  ])(
    'keeps the marker when the reset outcome is unknown (%s), so the rerun never sends a second code',
    async (_case, error) => {
      await flagged({ username: 'uri' });
      const { deps, targetMock } = fakeDeps(table);
      targetMock
        .on(AdminCreateUserCommand)
        .resolves({ User: { Username: 'uri', UserStatus: 'FORCE_CHANGE_PASSWORD', Enabled: true } })
        .on(AdminResetUserPasswordCommand)
        .rejects(error);

      await expect(resetFlaggedUser('uri', deps, aTargetSchema())).rejects.toThrow(error.message);

      expect(await getUser(table, 'uri')).toMatchObject({
        status: 'FLAGGED_FOR_RESET',
        resetRequestedAt: expect.any(String),
      });
    },
  );

  it('clears the marker before handing a refused reset to an administrator, so a re-flag can retry it', async () => {
    await flagged({ username: 'val' });
    const { deps, targetMock } = fakeDeps(table);
    targetMock
      .on(AdminCreateUserCommand)
      .resolves({ User: { Username: 'val', UserStatus: 'FORCE_CHANGE_PASSWORD', Enabled: true } })
      .on(AdminResetUserPasswordCommand)
      .rejects(new NotAuthorizedException({ message: 'not allowed', $metadata: {} }));

    const outcome = await resetFlaggedUser('val', deps, aTargetSchema());

    expect(outcome).toEqual({ username: 'val', outcome: 'needs-admin', reason: 'RESET_REFUSED' });
    const record = (await getUser(table, 'val')) as Record<string, unknown> | undefined;
    expect(record).toMatchObject({ status: 'NEEDS_ADMIN' });
    expect(record).not.toHaveProperty('resetRequestedAt');
  });

  it('counts a user who signed in meanwhile (UsernameExistsException, record MIGRATED) as migrated, never reset', async () => {
    await flagged({ username: 'sam' });
    const { deps, targetMock } = fakeDeps(table);
    targetMock.on(AdminCreateUserCommand).callsFake(async () => {
      await recordMigrated(table, 'sam', { method: 'password', targetUsername: 'sam' });
      throw new UsernameExistsException({ message: 'User account already exists', $metadata: {} });
    });
    // The trigger's user: CONFIRMED with the password they typed.
    targetMock.on(AdminGetUserCommand).resolves(targetUser('sam', 'CONFIRMED'));

    const outcome = await resetFlaggedUser('sam', deps, aTargetSchema());

    expect(outcome).toEqual({ username: 'sam', outcome: 'migrated', reason: 'SIGNED_IN' });
    expect(targetMock).not.toHaveReceivedCommand(AdminResetUserPasswordCommand);
    expect(targetMock).not.toHaveReceivedCommand(AdminDeleteUserCommand);
    expect((await getUser(table, 'sam'))?.status).toBe('MIGRATED');
  });

  it('after a crash between the reset and RESET_SENT, marks RESET_SENT without a second reset (RESET_REQUIRED proves it landed)', async () => {
    await flagged({ username: 'cleo' });
    await setMarker('cleo', 'createRequestedAt');
    await setMarker('cleo', 'resetRequestedAt');
    const { deps, targetMock } = fakeDeps(table);
    targetMock.on(AdminGetUserCommand).resolves(targetUser('cleo', 'RESET_REQUIRED'));

    const outcome = await resetFlaggedUser('cleo', deps, aTargetSchema());

    expect(outcome).toEqual({ username: 'cleo', outcome: 'reset-sent', reason: 'RESUMED' });
    expect(targetMock).not.toHaveReceivedCommand(AdminResetUserPasswordCommand);
    expect((await getUser(table, 'cleo'))?.status).toBe('RESET_SENT');
  });

  it('hands an unprovable reset to an administrator instead of sending a second code', async () => {
    await flagged({ username: 'max' });
    await setMarker('max', 'createRequestedAt');
    await setMarker('max', 'resetRequestedAt');
    const { deps, targetMock } = fakeDeps(table);
    targetMock.on(AdminGetUserCommand).resolves(targetUser('max', 'CONFIRMED'));

    const outcome = await resetFlaggedUser('max', deps, aTargetSchema());

    expect(outcome).toEqual({ username: 'max', outcome: 'needs-admin', reason: 'RESET_UNCONFIRMED' });
    expect(targetMock).not.toHaveReceivedCommand(AdminResetUserPasswordCommand);
  });

  it('resumes a user created by a crashed run without creating it again', async () => {
    await flagged({ username: 'rey' });
    await setMarker('rey', 'createRequestedAt');
    const { deps, targetMock } = fakeDeps(table);
    targetMock.on(AdminGetUserCommand).resolves(targetUser('rey', 'FORCE_CHANGE_PASSWORD'));

    const outcome = await resetFlaggedUser('rey', deps, aTargetSchema());

    expect(outcome.outcome).toBe('reset-sent');
    expect(targetMock).not.toHaveReceivedCommand(AdminCreateUserCommand);
    expect(targetMock).toHaveReceivedCommandTimes(AdminResetUserPasswordCommand, 1);
  });

  it('marks a user with no verified contact NEEDS_ADMIN and creates nothing', async () => {
    await flagged({ username: 'nia', attributes: { email: 'nia@x.io', email_verified: 'false' } });
    const { deps, targetMock } = fakeDeps(table);

    const outcome = await resetFlaggedUser('nia', deps, aTargetSchema());

    expect(outcome).toEqual({ username: 'nia', outcome: 'needs-admin', reason: 'NO_VERIFIED_CONTACT' });
    expect(targetMock.calls()).toHaveLength(0);
    expect(await getUser(table, 'nia')).toMatchObject({
      status: 'NEEDS_ADMIN',
      reason: 'NO_VERIFIED_CONTACT',
    });
  });

  it('leaves a same-named stranger in the target alone: NEEDS_ADMIN, no reset', async () => {
    await flagged({ username: 'kim' });
    const { deps, targetMock } = fakeDeps(table);
    targetMock
      .on(AdminCreateUserCommand)
      .rejects(new UsernameExistsException({ message: 'exists', $metadata: {} }))
      .on(AdminGetUserCommand)
      .resolves({
        ...targetUser('kim', 'CONFIRMED'),
        UserAttributes: [{ Name: 'custom:legacy_sub', Value: 'someone-else' }],
      });

    const outcome = await resetFlaggedUser('kim', deps, aTargetSchema());

    expect(outcome).toEqual({ username: 'kim', outcome: 'needs-admin', reason: 'TARGET_USERNAME_TAKEN' });
    expect(targetMock).not.toHaveReceivedCommand(AdminResetUserPasswordCommand);
    expect(targetMock).not.toHaveReceivedCommand(AdminDisableUserCommand);
  });

  it('leaves a stranger who took the name without a legacy sub alone (a sign-up while the user was out of scope): no target sub bound, no event owed', async () => {
    await flagged({ username: 'gus' });
    const { deps, targetMock } = fakeDeps(table);
    targetMock
      .on(AdminCreateUserCommand)
      .rejects(new UsernameExistsException({ message: 'exists', $metadata: {} }))
      .on(AdminGetUserCommand)
      .resolves({
        ...targetUser('gus', 'CONFIRMED'),
        UserAttributes: [{ Name: 'sub', Value: 'stranger-sub' }],
      });

    const outcome = await resetFlaggedUser('gus', deps, aTargetSchema());

    expect(outcome).toEqual({ username: 'gus', outcome: 'needs-admin', reason: 'TARGET_USERNAME_TAKEN' });
    const record = await getUser(table, 'gus');
    expect(record).not.toHaveProperty('targetSub');
    expect(record).not.toHaveProperty('eventOutbox');
  });

  it('takes a user another campaign created after our marker as its own (UsernameExists, FORCE_CHANGE_PASSWORD, our legacy sub), not TARGET_USERNAME_TAKEN', async () => {
    const user = await flagged({ username: 'ola' });
    const { deps, targetMock } = fakeDeps(table);
    targetMock
      .on(AdminCreateUserCommand)
      .rejects(new UsernameExistsException({ message: 'exists', $metadata: {} }))
      .on(AdminGetUserCommand)
      .resolves({
        ...targetUser('ola', 'FORCE_CHANGE_PASSWORD'),
        UserAttributes: [{ Name: 'custom:legacy_sub', Value: user.sub }],
      });

    const outcome = await resetFlaggedUser('ola', deps, aTargetSchema());

    expect(outcome).toEqual({ username: 'ola', outcome: 'reset-sent' });
    expect(targetMock).toHaveReceivedCommandTimes(AdminSetUserPasswordCommand, 1);
    expect(targetMock).toHaveReceivedCommandTimes(AdminResetUserPasswordCommand, 1);
  });

  it('never sets a password while another campaign holds the reset marker: leaves the user to it', async () => {
    await flagged({ username: 'pia' });
    await setMarker('pia', 'createRequestedAt');
    const { deps, targetMock } = fakeDeps(table);
    targetMock.on(AdminGetUserCommand).callsFake(async () => {
      // The other campaign requests the reset right after we read the target.
      await table.doc.send(
        new UpdateCommand({
          TableName: table.tableName,
          Key: userKey('pia'),
          UpdateExpression: 'SET resetRequestedAt = :v',
          ExpressionAttributeValues: { ':v': new Date(table.clock.now()).toISOString() },
        }),
      );
      return targetUser('pia', 'FORCE_CHANGE_PASSWORD');
    });

    const outcome = await resetFlaggedUser('pia', deps, aTargetSchema());

    expect(outcome).toEqual({ username: 'pia', outcome: 'skipped', reason: 'IN_PROGRESS_ELSEWHERE' });
    expect(targetMock).not.toHaveReceivedCommand(AdminSetUserPasswordCommand);
    expect(targetMock).not.toHaveReceivedCommand(AdminResetUserPasswordCommand);
  });

  it('removes its empty user when a sign-in recorded MIGRATED but lost the race to AdminCreateUser, so the next sign-in migrates them', async () => {
    const user = await flagged({ username: 'quin' });
    const { deps, targetMock } = fakeDeps(table);
    targetMock
      .on(AdminCreateUserCommand)
      .callsFake(async () => {
        await recordMigrated(table, 'quin', { method: 'password', targetUsername: 'quin' });
        return { User: { Username: 'quin', UserStatus: 'FORCE_CHANGE_PASSWORD', Enabled: true } };
      })
      .on(AdminGetUserCommand)
      .resolves({
        ...targetUser('quin', 'FORCE_CHANGE_PASSWORD'),
        UserAttributes: [{ Name: 'custom:legacy_sub', Value: user.sub }],
      });

    const outcome = await resetFlaggedUser('quin', deps, aTargetSchema());

    expect(outcome).toMatchObject({ username: 'quin', outcome: 'migrated', reason: 'SIGNED_IN' });
    expect(targetMock).toHaveReceivedCommandWith(AdminDeleteUserCommand, { Username: 'quin' });
    expect(targetMock).not.toHaveReceivedCommand(AdminSetUserPasswordCommand);
    expect((await getUser(table, 'quin'))?.status).toBe('MIGRATED');
  });

  it('lets a table or pool error stop the run rather than guess', async () => {
    await flagged({ username: 'tom' });
    const { deps, targetMock } = fakeDeps(table);
    targetMock
      .on(AdminCreateUserCommand)
      .rejects(new UserNotFoundException({ message: 'pool?', $metadata: {} }));

    await expect(resetFlaggedUser('tom', deps, aTargetSchema())).rejects.toThrow('pool?');
    expect((await getUser(table, 'tom'))?.status).toBe('FLAGGED_FOR_RESET');
  });
});
