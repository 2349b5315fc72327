import { createHmac } from 'node:crypto';
import {
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  CognitoIdentityProviderClient,
  CognitoIdentityProviderServiceException,
  ListUsersCommand,
  RevokeTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { getProgress } from '#shared/table/progress';
import type { TableContext } from '#shared/table/context';
import { getUser, type SourceUserSnapshot } from '#shared/table/users';
import { useLocalTable } from '../../support/local-table';
import { aSourceUser } from '../../support/users';
import { handleLazyMigrate } from '../../../functions/lazy-migrate/migrate-user';
import { REFUSAL_MESSAGE } from '../../../functions/lazy-migrate/refusal';
import {
  aConfig,
  adminGetUserOf,
  aTargetSchema,
  anIdToken,
  makeDeps,
  PASSWORD,
  seedSnapshot,
  signInEvent,
  SOURCE_CLIENT,
  SOURCE_POOL,
  type TestDeps,
} from './harness';

const source = mockClient(CognitoIdentityProviderClient);
const local = useLocalTable();
const emailAlias = aTargetSchema({ aliasAttributes: ['email'] });
let table: TableContext;
let jane: SourceUserSnapshot;

beforeEach(async () => {
  source.reset();
  table = local.table;
  jane = aSourceUser({
    username: 'jane',
    attributes: { email: 'jane@example.com', email_verified: 'true', name: 'Jane' },
  });
  await seedSnapshot(table, jane);
});

const awsError = (name: string, message: string) =>
  new CognitoIdentityProviderServiceException({ name, message, $fault: 'client', $metadata: {} });

const tokensFor = (user: SourceUserSnapshot) => ({
  AuthenticationResult: {
    AccessToken: 'access',
    RefreshToken: 'source-refresh-token',
    IdToken: anIdToken({
      'cognito:username': user.username,
      sub: user.sub,
      ...user.attributes,
      email_verified: user.attributes.email_verified === 'true',
    }),
  },
});

const refusalOf = async (deps: TestDeps, event = signInEvent()) => {
  const error = await handleLazyMigrate(event, deps).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (!error) throw new Error('expected a refusal');
  return error;
};

describe('UserMigration_Authentication: source answers tokens', () => {
  it('migrates CONFIRMED with SUPPRESS and the source attributes, keeping the old sub in custom:legacy_sub', async () => {
    source.on(AdminInitiateAuthCommand).resolves(tokensFor(jane));
    source.on(RevokeTokenCommand).resolves({});
    const deps = makeDeps(table);

    const event = await handleLazyMigrate(signInEvent(), deps);

    expect(event.response).toMatchObject({
      finalUserStatus: 'CONFIRMED',
      messageAction: 'SUPPRESS',
      userAttributes: {
        email: 'jane@example.com',
        email_verified: 'true',
        name: 'Jane',
        'custom:legacy_sub': jane.sub,
      },
    });
    expect(event.response.userAttributes).not.toHaveProperty('sub');
  });

  it('checks the password with ADMIN_USER_PASSWORD_AUTH on the migration client, once', async () => {
    source.on(AdminInitiateAuthCommand).resolves(tokensFor(jane));
    const deps = makeDeps(table);

    await handleLazyMigrate(signInEvent(), deps);

    expect(source).toHaveReceivedCommandTimes(AdminInitiateAuthCommand, 1);
    expect(source).toHaveReceivedCommandWith(AdminInitiateAuthCommand, {
      UserPoolId: SOURCE_POOL,
      ClientId: SOURCE_CLIENT,
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'jane', PASSWORD },
    });
  });

  it('sends SECRET_HASH = Base64(HMAC-SHA256(secret, username + clientId)) when the client has a secret', async () => {
    source.on(AdminInitiateAuthCommand).resolves(tokensFor(jane));
    const config = aConfig({
      source: { userPoolId: SOURCE_POOL, migrationClientId: SOURCE_CLIENT, migrationClientSecret: 's3cr3t' },
    });
    const expected = createHmac('sha256', 's3cr3t').update(`jane${SOURCE_CLIENT}`).digest('base64');

    await handleLazyMigrate(signInEvent(), makeDeps(table, { config }));

    expect(source).toHaveReceivedCommandWith(AdminInitiateAuthCommand, {
      AuthParameters: { USERNAME: 'jane', PASSWORD, SECRET_HASH: expected },
    });
    expect(source).toHaveReceivedCommandWith(RevokeTokenCommand, { ClientSecret: 's3cr3t' });
  });

  it('revokes the source refresh token the check created', async () => {
    source.on(AdminInitiateAuthCommand).resolves(tokensFor(jane));

    await handleLazyMigrate(signInEvent(), makeDeps(table));

    expect(source).toHaveReceivedCommandWith(RevokeTokenCommand, {
      Token: 'source-refresh-token',
      ClientId: SOURCE_CLIENT,
    });
  });

  it('spends 2 source calls on the happy path: the ID token carries every snapshot attribute, no AdminGetUser', async () => {
    source.on(AdminInitiateAuthCommand).resolves(tokensFor(jane));

    await handleLazyMigrate(signInEvent(), makeDeps(table));

    expect(source.calls()).toHaveLength(2);
    expect(source).not.toHaveReceivedCommand(AdminGetUserCommand);
  });

  it('reads the user with AdminGetUser when the ID token lacks an attribute the snapshot has', async () => {
    const { IdToken: _omitted, ...rest } = tokensFor(jane).AuthenticationResult;
    source.on(AdminInitiateAuthCommand).resolves({
      AuthenticationResult: { ...rest, IdToken: anIdToken({ 'cognito:username': 'jane', sub: jane.sub }) },
    });
    source.on(AdminGetUserCommand).resolves(adminGetUserOf(jane));

    const event = await handleLazyMigrate(signInEvent(), makeDeps(table));

    expect(source).toHaveReceivedCommandTimes(AdminGetUserCommand, 1);
    expect(event.response.userAttributes).toMatchObject({ name: 'Jane' });
  });

  it('records MIGRATED with method, target username and no MFA re-enrolment', async () => {
    source.on(AdminInitiateAuthCommand).resolves(tokensFor(jane));

    await handleLazyMigrate(signInEvent(), makeDeps(table));

    expect(await getUser(table, 'jane')).toMatchObject({
      status: 'MIGRATED',
      method: 'password',
      targetUsername: 'jane',
      mfaReenrolRequired: false,
    });
  });

  it('records the attribute it gave the source sub in, so group-sync binds only a target user carrying it', async () => {
    source.on(AdminInitiateAuthCommand).resolves(tokensFor(jane));

    const event = await handleLazyMigrate(signInEvent(), makeDeps(table));

    expect(event.response.userAttributes).toMatchObject({ 'custom:legacy_sub': jane.sub });
    expect(await getUser(table, 'jane')).toMatchObject({ legacySubAttribute: 'custom:legacy_sub' });
  });

  it('creates the record of a user the snapshot lacks (signed up after the export), resolving by the typed name', async () => {
    const late = aSourceUser({ username: 'late' });
    source.on(AdminInitiateAuthCommand).resolves(tokensFor(late));
    source.on(AdminGetUserCommand).resolves(adminGetUserOf(late));

    await handleLazyMigrate(signInEvent('late'), makeDeps(table));

    expect(source).toHaveReceivedCommandWith(AdminInitiateAuthCommand, {
      AuthParameters: { USERNAME: 'late', PASSWORD },
    });
    expect(await getUser(table, 'late')).toMatchObject({
      status: 'MIGRATED',
      snapshotMissing: true,
      sub: late.sub,
    });
  });

  it('still signs the user in when the migration record cannot be written, logging and counting the failure', async () => {
    source.on(AdminInitiateAuthCommand).resolves(tokensFor(jane));
    source.on(AdminGetUserCommand).resolves(adminGetUserOf(jane));
    const deps = makeDeps({ ...table, tableName: 'no-such-table' });

    const event = await handleLazyMigrate(signInEvent(), deps);

    expect(event.response.finalUserStatus).toBe('CONFIRMED');
    expect(deps.logger.entries).toContainEqual(
      expect.objectContaining({
        level: 'error',
        data: expect.objectContaining({ reason: 'FOLLOW_UP_FAILED' }),
      }),
    );
    expect(deps.recorded.counts).toContain('FollowUpFailed');
  });

  it('still signs the user in when revoking the source token fails', async () => {
    source.on(AdminInitiateAuthCommand).resolves(tokensFor(jane));
    source.on(RevokeTokenCommand).rejects(awsError('UnsupportedTokenTypeException', 'revocation disabled'));

    const event = await handleLazyMigrate(signInEvent(), makeDeps(table));

    expect(event.response.finalUserStatus).toBe('CONFIRMED');
  });
});

describe('UserMigration_Authentication: finding the source user', () => {
  it('resolves an email typed in another case through the login keys (case-insensitive target, case-sensitive source)', async () => {
    source.on(AdminInitiateAuthCommand).resolves(tokensFor(jane));
    const schema = aTargetSchema({ aliasAttributes: ['email'] });

    const event = await handleLazyMigrate(signInEvent('Jane@Example.COM'), makeDeps(table, { schema }));

    expect(source).toHaveReceivedCommandWith(AdminInitiateAuthCommand, {
      AuthParameters: { USERNAME: 'jane', PASSWORD },
    });
    // AWS: a typed alias goes into the alias attribute and the username is set explicitly.
    expect(event.response.userAttributes).toMatchObject({ email: 'Jane@Example.COM', username: 'jane' });
    expect(await getUser(table, 'jane')).toMatchObject({ targetUsername: 'jane' });
  });

  it('ignores an unverified copy of the typed email on another source user, as Cognito resolves aliases', async () => {
    await seedSnapshot(
      table,
      aSourceUser({ username: 'jane2', attributes: { email: 'JANE@example.com', email_verified: 'false' } }),
    );
    source.on(AdminInitiateAuthCommand).resolves(tokensFor(jane));

    const event = await handleLazyMigrate(
      signInEvent('jane@example.com'),
      makeDeps(table, { schema: emailAlias }),
    );

    expect(source).toHaveReceivedCommandWith(AdminInitiateAuthCommand, {
      AuthParameters: { USERNAME: 'jane', PASSWORD },
    });
    expect(event.response.userAttributes).toMatchObject({ username: 'jane' });
  });

  it('refuses AMBIGUOUS_USER without checking any password when two source usernames differ only in case', async () => {
    await seedSnapshot(table, aSourceUser({ username: 'JANE', attributes: {} }));
    const deps = makeDeps(table);

    const error = await refusalOf(deps, signInEvent('Jane'));

    expect(error.message).toBe(REFUSAL_MESSAGE);
    expect(source).not.toHaveReceivedCommand(AdminInitiateAuthCommand);
    expect(deps.recorded.outcomes).toEqual([{ result: 'refused', reason: 'AMBIGUOUS_USER' }]);
  });

  it('records a user who signs in with an email changed after the sync under the source username, not the email', async () => {
    source
      .on(ListUsersCommand, { Filter: 'email = "jane.new@example.com"' })
      .resolves({ Users: [{ Username: 'jane', Attributes: [{ Name: 'email_verified', Value: 'true' }] }] });
    const moved = { ...jane, attributes: { ...jane.attributes, email: 'jane.new@example.com' } };
    source.on(AdminInitiateAuthCommand).resolves(tokensFor(moved));

    const event = await handleLazyMigrate(
      signInEvent('jane.new@example.com'),
      makeDeps(table, { schema: emailAlias }),
    );

    expect(source).toHaveReceivedCommandWith(AdminInitiateAuthCommand, {
      AuthParameters: { USERNAME: 'jane', PASSWORD },
    });
    expect(event.response.userAttributes).toMatchObject({ email: 'jane.new@example.com', username: 'jane' });
    expect(await getUser(table, 'jane')).toMatchObject({ status: 'MIGRATED', targetUsername: 'jane' });
    expect(await getUser(table, 'jane.new@example.com')).toBeUndefined();
  });

  it('signs in the source user an email moved to after the sync, after the snapshot holder’s check fails', async () => {
    const bob = aSourceUser({
      username: 'bob',
      attributes: { email: 'jane@example.com', email_verified: 'true' },
    });
    source
      .on(AdminInitiateAuthCommand, { AuthParameters: { USERNAME: 'jane', PASSWORD } })
      .rejects(awsError('NotAuthorizedException', 'Incorrect username or password.'));
    source
      .on(AdminInitiateAuthCommand, { AuthParameters: { USERNAME: 'bob', PASSWORD } })
      .resolves(tokensFor(bob));
    source
      .on(ListUsersCommand)
      .resolves({ Users: [{ Username: 'bob', Attributes: [{ Name: 'email_verified', Value: 'true' }] }] });
    source.on(AdminGetUserCommand).resolves(adminGetUserOf(bob));

    const event = await handleLazyMigrate(
      signInEvent('jane@example.com'),
      makeDeps(table, { schema: emailAlias }),
    );

    expect(event.response.userAttributes).toMatchObject({ username: 'bob', email: 'jane@example.com' });
    expect(await getUser(table, 'bob')).toMatchObject({ status: 'MIGRATED', snapshotMissing: true });
    expect(await getUser(table, 'jane')).toMatchObject({ status: 'PENDING' });
  });

  it('names the new user by the source username when the username was typed in another case', async () => {
    source.on(AdminInitiateAuthCommand).resolves(tokensFor(jane));
    const schema = aTargetSchema({ caseSensitive: true });

    const event = await handleLazyMigrate(signInEvent('JANE'), makeDeps(table, { schema }));

    expect(event.response.userAttributes).toMatchObject({ username: 'jane' });
    expect(await getUser(table, 'jane')).toMatchObject({ targetUsername: 'jane' });
  });

  it.each([
    ['UNCONFIRMED', 'USER_NOT_CONFIRMED'],
    ['RESET_REQUIRED', 'USER_STATUS_NOT_ELIGIBLE'],
  ])('refuses a %s source user on a challenge path by the status it reads (%s)', async (status, reason) => {
    source.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 's' });
    source.on(AdminGetUserCommand).resolves({ ...adminGetUserOf(jane), UserStatus: status as 'CONFIRMED' });
    const deps = makeDeps(table);

    await refusalOf(deps);

    expect(deps.recorded.outcomes).toEqual([{ result: 'refused', reason }]);
  });

  it('refuses when the typed alias is not a sign-in attribute of the target pool', async () => {
    source.on(AdminInitiateAuthCommand).resolves(tokensFor(jane));
    const deps = makeDeps(table, { schema: aTargetSchema({ aliasAttributes: [] }) });

    await refusalOf(deps, signInEvent('jane@example.com'));

    expect(deps.recorded.outcomes).toEqual([
      { result: 'refused', reason: 'TYPED_NAME_NOT_A_SIGN_IN_ATTRIBUTE' },
    ]);
  });

  it('puts the typed email into the email attribute when the target uses email as username', async () => {
    source.on(AdminInitiateAuthCommand).resolves(tokensFor(jane));
    const schema = aTargetSchema({ usernameAttributes: ['email'] });

    const event = await handleLazyMigrate(signInEvent('jane@example.com'), makeDeps(table, { schema }));

    expect(event.response.userAttributes).toMatchObject({ email: 'jane@example.com' });
    expect(event.response.userAttributes).not.toHaveProperty('username');
  });
});

describe('UserMigration_Authentication: challenges', () => {
  it('migrates a right temporary password (NEW_PASSWORD_REQUIRED) into RESET_REQUIRED when the email is verified', async () => {
    source.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 's' });
    source.on(AdminGetUserCommand).resolves(adminGetUserOf({ ...jane, userStatus: 'FORCE_CHANGE_PASSWORD' }));

    const event = await handleLazyMigrate(signInEvent(), makeDeps(table));

    expect(event.response).toMatchObject({ finalUserStatus: 'RESET_REQUIRED', messageAction: 'SUPPRESS' });
  });

  it('refuses TEMPORARY_PASSWORD_NO_RECOVERY and marks the user for an administrator when nothing is verified', async () => {
    const unverified = { ...jane, attributes: { ...jane.attributes, email_verified: 'false' } };
    source.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 's' });
    source.on(AdminGetUserCommand).resolves(adminGetUserOf(unverified));
    const deps = makeDeps(table);

    await refusalOf(deps);

    expect(deps.recorded.outcomes).toEqual([{ result: 'refused', reason: 'TEMPORARY_PASSWORD_NO_RECOVERY' }]);
    expect(await getUser(table, 'jane')).toMatchObject({
      status: 'NEEDS_ADMIN',
      reason: 'TEMPORARY_PASSWORD_NO_RECOVERY',
    });
  });

  it('carries SMS MFA with enableSMSMFA when the target can send SMS and the user has a phone number', async () => {
    const withPhone = {
      ...jane,
      attributes: { ...jane.attributes, phone_number: '+15555550100', phone_number_verified: 'true' },
    };
    source.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'SMS_MFA', Session: 's' });
    source.on(AdminGetUserCommand).resolves(adminGetUserOf(withPhone));

    const event = await handleLazyMigrate(signInEvent(), makeDeps(table));

    expect(event.response).toMatchObject({ finalUserStatus: 'CONFIRMED', enableSMSMFA: true });
  });

  it('treats SMS MFA as a factor that cannot move when the target cannot send SMS', async () => {
    const withPhone = { ...jane, attributes: { ...jane.attributes, phone_number: '+15555550100' } };
    source.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'SMS_MFA', Session: 's' });
    source.on(AdminGetUserCommand).resolves(adminGetUserOf(withPhone));
    const schema = aTargetSchema({ smsMfaAvailable: false, mfaConfiguration: 'OFF' });

    const event = await handleLazyMigrate(signInEvent(), makeDeps(table, { schema }));

    expect(event.response).toMatchObject({ finalUserStatus: 'RESET_REQUIRED' });
    expect(event.response.enableSMSMFA).not.toBe(true);
    expect(await getUser(table, 'jane')).toMatchObject({ mfaReenrolRequired: true });
  });

  it.each(['SOFTWARE_TOKEN_MFA', 'EMAIL_OTP', 'SELECT_MFA_TYPE'] as const)(
    'migrates a %s user into RESET_REQUIRED and records that MFA must be re-enrolled',
    async (challenge) => {
      source.on(AdminInitiateAuthCommand).resolves({ ChallengeName: challenge, Session: 's' });
      source.on(AdminGetUserCommand).resolves(adminGetUserOf(jane));

      const event = await handleLazyMigrate(signInEvent(), makeDeps(table));

      expect(event.response).toMatchObject({ finalUserStatus: 'RESET_REQUIRED', messageAction: 'SUPPRESS' });
      expect(await getUser(table, 'jane')).toMatchObject({ status: 'MIGRATED', mfaReenrolRequired: true });
    },
  );

  it('refuses MFA_REJECTED under mfaPolicy "reject" without reading the user', async () => {
    source.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 's' });
    const deps = makeDeps(table, { config: aConfig({ mfaPolicy: 'reject' }) });

    await refusalOf(deps);

    expect(deps.recorded.outcomes).toEqual([{ result: 'refused', reason: 'MFA_REJECTED' }]);
    expect(source).not.toHaveReceivedCommand(AdminGetUserCommand);
  });

  it('refuses MFA_NO_RECOVERY when the factor cannot move and no address is verified', async () => {
    source.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 's' });
    source
      .on(AdminGetUserCommand)
      .resolves(adminGetUserOf({ ...jane, attributes: { email: 'jane@example.com' } }));
    const deps = makeDeps(table);

    await refusalOf(deps);

    expect(deps.recorded.outcomes).toEqual([{ result: 'refused', reason: 'MFA_NO_RECOVERY' }]);
  });

  it('migrates CONFIRMED on MFA_SETUP: the user never had a factor', async () => {
    source.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'MFA_SETUP', Session: 's' });
    source.on(AdminGetUserCommand).resolves(adminGetUserOf(jane));

    const event = await handleLazyMigrate(signInEvent(), makeDeps(table));

    expect(event.response).toMatchObject({ finalUserStatus: 'CONFIRMED' });
    expect(event.response.enableSMSMFA).not.toBe(true);
  });

  it('refuses a challenge it cannot interpret as an operational UNSUPPORTED_CHALLENGE', async () => {
    source.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'CUSTOM_CHALLENGE', Session: 's' });
    const deps = makeDeps(table);

    await refusalOf(deps);

    expect(deps.recorded.outcomes).toEqual([{ result: 'refused', reason: 'UNSUPPORTED_CHALLENGE' }]);
  });
});

describe('UserMigration_Authentication: refusals', () => {
  it.each([
    ['NotAuthorizedException', 'Incorrect username or password.', 'INVALID_CREDENTIALS', false],
    ['UserNotFoundException', 'User does not exist.', 'USER_NOT_FOUND', false],
    [
      'PasswordResetRequiredException',
      'Password reset required for the user',
      'PASSWORD_RESET_REQUIRED',
      false,
    ],
    ['UserNotConfirmedException', 'User is not confirmed.', 'USER_NOT_CONFIRMED', false],
    ['NotAuthorizedException', 'User is disabled.', 'USER_DISABLED', false],
    ['NotAuthorizedException', 'Password attempts exceeded', 'PASSWORD_ATTEMPTS_EXCEEDED', false],
    [
      'NotAuthorizedException',
      'Unable to verify secret hash for client x',
      'SOURCE_CLIENT_MISCONFIGURED',
      true,
    ],
    ['TooManyRequestsException', 'Rate exceeded', 'SOURCE_THROTTLED', true],
    [
      'AccessDeniedException',
      'not authorized to perform cognito-idp:AdminInitiateAuth',
      'SOURCE_ACCESS_DENIED',
      true,
    ],
    ['ResourceNotFoundException', 'User pool client x does not exist.', 'SOURCE_NOT_FOUND', true],
    ['InvalidParameterException', 'Auth flow not enabled for this client', 'SOURCE_AUTH_FLOW_DISABLED', true],
    ['InternalErrorException', 'Internal error', 'SOURCE_UNAVAILABLE', true],
  ])('maps %s "%s" to %s behind the one client message', async (name, message, reason, operational) => {
    source.on(AdminInitiateAuthCommand).rejects(awsError(name, message));
    const deps = makeDeps(table);

    const error = await refusalOf(deps);

    expect(error.message).toBe(REFUSAL_MESSAGE);
    expect(deps.recorded.outcomes).toEqual([{ result: 'refused', reason }]);
    expect(deps.logger.entries).toEqual([
      expect.objectContaining({
        level: operational ? 'error' : 'info',
        message: 'migration refused',
        data: expect.objectContaining({ reason, operational }),
      }),
    ]);
    expect((await getProgress(table)).refusals).toEqual({ [reason]: 1 });
    expect(await getUser(table, 'jane')).toMatchObject({ status: 'PENDING' });
  });

  it('gives a wrong password and an unknown user the same answer', async () => {
    source
      .on(AdminInitiateAuthCommand)
      .rejectsOnce(awsError('NotAuthorizedException', 'Incorrect username or password.'));
    source
      .on(AdminInitiateAuthCommand)
      .rejectsOnce(awsError('UserNotFoundException', 'User does not exist.'));

    const wrongPassword = await refusalOf(makeDeps(table));
    const unknownUser = await refusalOf(makeDeps(table), signInEvent('nobody'));

    expect(unknownUser.name).toBe(wrongPassword.name);
    expect(unknownUser.message).toBe(wrongPassword.message);
  });

  it('refuses DEADLINE_EXCEEDED when the source does not answer within the internal deadline', async () => {
    source.on(AdminInitiateAuthCommand).callsFake(() => new Promise(() => undefined));
    const deps = makeDeps(table);
    setImmediate(() => deps.expire());

    const error = await refusalOf(deps);

    expect(error.message).toBe(REFUSAL_MESSAGE);
    expect(deps.recorded.outcomes).toEqual([{ result: 'refused', reason: 'DEADLINE_EXCEEDED' }]);
  });

  it('passes the deadline abort signal to every source call', async () => {
    source.on(AdminInitiateAuthCommand).resolves(tokensFor(jane));
    const deps = makeDeps(table);
    const send = jest.spyOn(deps.source, 'send');

    await handleLazyMigrate(signInEvent(), deps);

    for (const call of send.mock.calls) {
      expect(call[1]).toEqual({ abortSignal: expect.any(AbortSignal) });
    }
    expect(send).toHaveBeenCalledTimes(2);
  });

  it('refuses TARGET_UNAVAILABLE when the target schema cannot be read', async () => {
    source.on(AdminInitiateAuthCommand).resolves(tokensFor(jane));
    const deps = makeDeps(table, { schemaError: new Error('DescribeUserPool failed') });

    await refusalOf(deps);

    expect(deps.recorded.outcomes).toEqual([{ result: 'refused', reason: 'TARGET_UNAVAILABLE' }]);
  });

  it('refuses MISSING_REQUIRED_ATTRIBUTE naming the attribute the target requires', async () => {
    source.on(AdminInitiateAuthCommand).resolves(tokensFor(jane));
    const schema = aTargetSchema();
    schema.attributes.birthdate = { name: 'birthdate', required: true, mutable: true, developerOnly: false };
    const deps = makeDeps(table, { schema });

    await refusalOf(deps);

    expect(deps.logger.entries[0]?.data).toMatchObject({
      reason: 'MISSING_REQUIRED_ATTRIBUTE',
      detail: 'birthdate',
    });
  });
});

/** What each identity path costs the source pool (each call also spends the trigger's 5-second budget). */
describe('UserMigration_Authentication: source calls per migration', () => {
  const opsCalled = () =>
    source.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, ''));
  const verifiedHolder = (username: string) => ({
    Users: [{ Username: username, Attributes: [{ Name: 'email_verified', Value: 'true' }] }],
  });

  it('spends 2 calls for an email the snapshot knows (no lookup)', async () => {
    source.on(AdminInitiateAuthCommand).resolves(tokensFor(jane));

    await handleLazyMigrate(signInEvent('jane@example.com'), makeDeps(table, { schema: emailAlias }));

    expect(opsCalled()).toEqual(['AdminInitiateAuth', 'RevokeToken']);
  });

  it('spends 3 calls for an email changed after the sync: one ListUsers first', async () => {
    source.on(ListUsersCommand).resolves(verifiedHolder('jane'));
    const moved = { ...jane, attributes: { ...jane.attributes, email: 'jane.new@example.com' } };
    source.on(AdminInitiateAuthCommand).resolves(tokensFor(moved));

    await handleLazyMigrate(signInEvent('jane.new@example.com'), makeDeps(table, { schema: emailAlias }));

    expect(opsCalled()).toEqual(['ListUsers', 'AdminInitiateAuth', 'RevokeToken']);
  });

  it('spends 2 calls on a wrong password typed as a known email: the check, then one ListUsers', async () => {
    source
      .on(AdminInitiateAuthCommand)
      .rejects(awsError('NotAuthorizedException', 'Incorrect username or password.'));
    source.on(ListUsersCommand).resolves(verifiedHolder('jane'));

    await refusalOf(makeDeps(table, { schema: emailAlias }), signInEvent('jane@example.com', 'wrong'));

    expect(opsCalled()).toEqual(['AdminInitiateAuth', 'ListUsers']);
  });

  it('spends 1 call on a wrong password typed as a username (no lookup)', async () => {
    source
      .on(AdminInitiateAuthCommand)
      .rejects(awsError('NotAuthorizedException', 'Incorrect username or password.'));

    await refusalOf(makeDeps(table), signInEvent('jane', 'wrong'));

    expect(opsCalled()).toEqual(['AdminInitiateAuth']);
  });
});
