import {
  AdminConfirmSignUpCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AssociateSoftwareTokenCommand,
  ConfirmForgotPasswordCommand,
  CreateUserPoolClientCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SignUpCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Secret, TOTP } from 'otpauth';
import { getProgress } from '#shared/table/progress';
import { getUser } from '#shared/table/users';
import { newTotpSecret } from '#local/cognito/totp';
import { MFA_ENROLMENT_CLAIM } from '../../../functions/group-sync/mfa-gate';
import { SIGN_UP_CONFLICT_MESSAGE } from '../../../functions/lazy-migrate/pre-sign-up';
import { outcomeOf, startFaultStack, type FaultStack } from '../../faults/support/fault-stack';

const PASSWORD = 'Adversary-Passw0rd!';
const claimsOf = (jwt: string | undefined) =>
  JSON.parse(Buffer.from(String(jwt).split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
/** A real authenticator: RFC 6238 from the maintained otpauth library, not the emulator's own code. */
const authenticatorCode = (secret: string) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate();

const sourceUsers = (stack: FaultStack) => stack.emulator.store.pool(stack.source.poolId).users.size;
const groupsOf = async (stack: FaultStack, username: string) =>
  (
    await stack.app.send(
      new AdminListGroupsForUserCommand({ UserPoolId: stack.target.poolId, Username: username }),
    )
  ).Groups?.map((g) => g.GroupName) ?? [];

const resetPassword = async (stack: FaultStack, username: string, password: string) => {
  await stack.forgotPassword(username);
  const code = stack.emulator.outbox.latestCode(stack.target.poolId, username);
  await stack.app.send(
    new ConfirmForgotPasswordCommand({
      ClientId: stack.target.clientId,
      Username: username,
      ConfirmationCode: code,
      Password: password,
    }),
  );
};

describe('sign-in migration against adversaries and a stale snapshot (case-insensitive target with aliases)', () => {
  let stack: FaultStack;

  beforeAll(async () => {
    stack = await startFaultStack();
    const pool = stack.source.poolId;
    await stack.emulator.call('CreateGroup', { UserPoolId: pool, GroupName: 'sec-admins' });
    await stack.emulator.call('CreateGroup', { UserPoolId: pool, GroupName: 'staff' });
    const user = (username: string, attributes: Record<string, string>, groups: string[] = []) =>
      stack.emulator.store.createUserDirect(pool, { username, attributes, password: PASSWORD, groups });
    user('victor', { email: 'victor@example.com', email_verified: 'true', phone_number: '+15555550111' }, [
      'sec-admins',
    ]);
    const totp = user('tara', { email: 'tara@example.com', email_verified: 'true' }, ['staff']);
    totp.mfa = { sms: false, totp: true, preferred: 'SOFTWARE_TOKEN_MFA', totpSecret: newTotpSecret() };
    user('bob', { email: 'bob@old.example.com', email_verified: 'true' }, ['staff']);
    user('owen', { email: 'shared@example.com', email_verified: 'true' });
    user('otto', { email: 'otto@example.com', email_verified: 'true' });
    user('amy', { email: 'moving@example.com', email_verified: 'true' });
    user('ben', { email: 'ben@example.com', email_verified: 'true' });
    const sync = await stack.functions.bulkSync({ taskBudgetSeconds: 5 });
    expect(sync.status).toBe('SUCCEEDED');
  });
  afterAll(() => stack.close());

  it('never gives a legacy user’s groups to a stranger who signs up with the victim’s legacy sub and phone', async () => {
    await outcomeOf(stack.forgotPassword('victor'));
    const victorSub = stack.emulator.store.pool(stack.source.poolId).users.get('victor')!.sub;
    // An existing app client that may write the custom attribute, as pools the tool attaches to often have.
    const { UserPoolClient: lax } = await stack.app.send(
      new CreateUserPoolClientCommand({
        UserPoolId: stack.target.poolId,
        ClientName: 'lax-app',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        WriteAttributes: ['custom:legacy_sub', 'phone_number', 'email'],
      }),
    );
    await stack.app.send(
      new SignUpCommand({
        ClientId: lax!.ClientId,
        Username: 'mallory',
        Password: PASSWORD,
        UserAttributes: [
          { Name: 'custom:legacy_sub', Value: victorSub },
          { Name: 'phone_number', Value: '+15555550111' },
          { Name: 'email', Value: 'mallory@example.net' },
        ],
      }),
    );
    await stack.app.send(
      new AdminConfirmSignUpCommand({ UserPoolId: stack.target.poolId, Username: 'mallory' }),
    );

    const mallory = await stack.signIn('mallory', PASSWORD);
    await stack.functions.idle();

    expect(claimsOf(mallory.AuthenticationResult?.IdToken)['cognito:groups']).toBeUndefined();
    expect(await groupsOf(stack, 'mallory')).toEqual([]);
    await resetPassword(stack, 'victor', `${PASSWORD}-2`);
    const victor = await stack.signIn('victor', `${PASSWORD}-2`);
    await stack.functions.idle();
    expect(claimsOf(victor.AuthenticationResult?.IdToken)['cognito:groups']).toEqual(['sec-admins']);
    expect(await groupsOf(stack, 'victor')).toEqual(['sec-admins']);
  });

  it('gives a migrated TOTP user no app session on the password alone until they re-enrol with an authenticator', async () => {
    expect(await outcomeOf(stack.signIn('tara', PASSWORD))).toMatchObject({
      ok: false,
      name: 'PasswordResetRequiredException',
    });
    await resetPassword(stack, 'tara', `${PASSWORD}-2`);

    const passwordOnly = await stack.signIn('tara', `${PASSWORD}-2`);
    await stack.functions.idle();
    const restricted = claimsOf(passwordOnly.AuthenticationResult?.IdToken);
    expect(restricted[MFA_ENROLMENT_CLAIM]).toBe('true');
    expect(restricted['cognito:groups']).toBeUndefined();
    expect(await groupsOf(stack, 'tara')).toEqual([]);

    // What an app does with such a session: enrol a software token, then sign in again.
    const accessToken = passwordOnly.AuthenticationResult!.AccessToken!;
    const { SecretCode } = await stack.app.send(
      new AssociateSoftwareTokenCommand({ AccessToken: accessToken }),
    );
    await stack.app.send(
      new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: authenticatorCode(SecretCode!) }),
    );
    await stack.app.send(
      new SetUserMFAPreferenceCommand({
        AccessToken: accessToken,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    const challenge = await stack.signIn('tara', `${PASSWORD}-2`);
    expect(challenge.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    const answered = await stack.app.send(
      new RespondToAuthChallengeCommand({
        ClientId: stack.target.clientId,
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: 'tara', SOFTWARE_TOKEN_MFA_CODE: authenticatorCode(SecretCode!) },
      }),
    );
    await stack.functions.idle();

    const full = claimsOf(answered.AuthenticationResult?.IdToken);
    expect(full[MFA_ENROLMENT_CLAIM]).toBeUndefined();
    expect(full['cognito:groups']).toEqual(['staff']);
    expect(await groupsOf(stack, 'tara')).toEqual(['staff']);
  });

  it('records a user whose email changed after the sync under their source username, with their groups and no extra user in the totals', async () => {
    await stack.emulator.call('AdminUpdateUserAttributes', {
      UserPoolId: stack.source.poolId,
      Username: 'bob',
      UserAttributes: [
        { Name: 'email', Value: 'bob@new.example.com' },
        { Name: 'email_verified', Value: 'true' },
      ],
    });

    const signedIn = await stack.signIn('bob@new.example.com', PASSWORD);
    await stack.functions.idle();

    expect(claimsOf(signedIn.AuthenticationResult?.IdToken)['cognito:groups']).toEqual(['staff']);
    expect(await getUser(stack.table, 'bob')).toMatchObject({ status: 'MIGRATED', groupsApplied: true });
    expect(await getUser(stack.table, 'bob@new.example.com')).toBeUndefined();
    expect(await groupsOf(stack, 'bob')).toEqual(['staff']);
    expect((await getProgress(stack.table)).total).toBe(sourceUsers(stack));
  });

  it('signs the owner in by email although another source account holds an unverified copy of it', async () => {
    await stack.emulator.call('AdminUpdateUserAttributes', {
      UserPoolId: stack.source.poolId,
      Username: 'otto',
      UserAttributes: [
        { Name: 'email', Value: 'shared@example.com' },
        { Name: 'email_verified', Value: 'false' },
      ],
    });
    // The copy reached the snapshot: a second bulk sync sees it.
    expect((await stack.functions.bulkSync({ taskBudgetSeconds: 5 })).status).toBe('SUCCEEDED');

    const signedIn = await outcomeOf(stack.signIn('shared@example.com', PASSWORD));

    expect(signedIn.ok).toBe(true);
    expect(await getUser(stack.table, 'owen')).toMatchObject({ status: 'MIGRATED' });
    expect(await getUser(stack.table, 'otto')).toMatchObject({ status: 'PENDING' });
  });

  it('signs in the user an email moved to after the sync, as that user', async () => {
    const move = (username: string, email: string) =>
      stack.emulator.call('AdminUpdateUserAttributes', {
        UserPoolId: stack.source.poolId,
        Username: username,
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
      });
    await move('amy', 'amy@example.com');
    await move('ben', 'moving@example.com');

    const signedIn = await outcomeOf(stack.signIn('moving@example.com', PASSWORD));

    expect(signedIn.ok).toBe(true);
    expect(await getUser(stack.table, 'ben')).toMatchObject({ status: 'MIGRATED', targetUsername: 'ben' });
    expect(await getUser(stack.table, 'amy')).toMatchObject({ status: 'PENDING' });
  });

  it('refuses a stranger signing up with the name of a source user created after the sync, and the real user still signs in', async () => {
    stack.emulator.store.createUserDirect(stack.source.poolId, {
      username: 'nora',
      attributes: { email: 'nora@example.com', email_verified: 'true' },
      password: PASSWORD,
    });

    const squat = await outcomeOf(
      stack.app.send(
        new SignUpCommand({
          ClientId: stack.target.clientId,
          Username: 'nora',
          Password: 'Squatter-Passw0rd!',
        }),
      ),
    );
    const owner = await outcomeOf(stack.signIn('nora', PASSWORD));

    expect(squat).toMatchObject({ ok: false, name: 'UserLambdaValidationException' });
    expect(squat.ok ? '' : squat.message).toContain(SIGN_UP_CONFLICT_MESSAGE);
    expect(owner.ok).toBe(true);
  });
});

describe('sign-in migration into a case-sensitive target', () => {
  let stack: FaultStack;

  beforeAll(async () => {
    stack = await startFaultStack({ targetPool: { UsernameConfiguration: { CaseSensitive: true } } });
    for (const username of ['alice', 'bob']) {
      stack.emulator.store.createUserDirect(stack.source.poolId, {
        username,
        attributes: { email: `${username}@example.com`, email_verified: 'true' },
        password: PASSWORD,
      });
    }
    expect((await stack.functions.bulkSync({ taskBudgetSeconds: 5 })).status).toBe('SUCCEEDED');
  });
  afterAll(() => stack.close());

  const targetUser = (username: string) =>
    outcomeOf(
      stack.app.send(new AdminGetUserCommand({ UserPoolId: stack.target.poolId, Username: username })),
    );

  it('names the user signing in as ALICE by the source username, so alice keeps signing in', async () => {
    await outcomeOf(stack.signIn('ALICE', PASSWORD));

    expect(await targetUser('ALICE')).toMatchObject({ ok: false, name: 'UserNotFoundException' });
    expect(await targetUser('alice')).toMatchObject({ ok: true, value: { Username: 'alice' } });
    expect(await outcomeOf(stack.signIn('alice', PASSWORD))).toMatchObject({ ok: true });
  });

  it('names the user of a forgot-password for BOB by the source username, so bob is not locked out', async () => {
    await outcomeOf(stack.forgotPassword('BOB'));

    expect(await targetUser('BOB')).toMatchObject({ ok: false, name: 'UserNotFoundException' });
    expect(await targetUser('bob')).toMatchObject({
      ok: true,
      value: { Username: 'bob', UserStatus: 'RESET_REQUIRED' },
    });
  });
});
