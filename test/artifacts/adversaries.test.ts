import {
  AdminConfirmSignUpCommand,
  AdminGetUserCommand,
  AssociateSoftwareTokenCommand,
  ConfirmForgotPasswordCommand,
  CreateUserPoolClientCommand,
  ForgotPasswordCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SignUpCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Secret, TOTP } from 'otpauth';
import { newTotpSecret } from '#local/cognito/totp';
import { MFA_ENROLMENT_CLAIM } from '../../functions/group-sync/mfa-gate';
import { outcomeOf } from '../faults/support/fault-stack';
import { PASSWORD, signIn, targetGroupsOf, useArtifactStack } from './support/artifact-stack';

/**
 * The two gravest adversary cases of the sign-in migration (issue 15), against what ships: the
 * bundled functions with the synthesized template's environment and the target pool's triggers
 * as the template wires them. The source-mode versions are in
 * test/integration/lazy-migrate/adversaries.test.ts.
 */
const stack = useArtifactStack();
const claimsOf = (jwt: string | undefined) =>
  JSON.parse(Buffer.from(String(jwt).split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
/** A real authenticator: RFC 6238 from the maintained otpauth library, not the emulator's own code. */
const authenticatorCode = (secret: string) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate();

const forgotPassword = (username: string) => {
  const s = stack();
  return s.cognito.send(new ForgotPasswordCommand({ ClientId: s.state.target.clientId, Username: username }));
};

const resetPassword = async (username: string, password: string) => {
  const s = stack();
  await forgotPassword(username);
  const code = s.emulator.outbox.latestCode(s.state.target.userPoolId, username, 'reset');
  await s.cognito.send(
    new ConfirmForgotPasswordCommand({
      ClientId: s.state.target.clientId,
      Username: username,
      ConfirmationCode: code!,
      Password: password,
    }),
  );
};

beforeAll(async () => {
  const s = stack();
  const pool = s.state.source.userPoolId;
  await s.emulator.call('CreateGroup', { UserPoolId: pool, GroupName: 'sec-admins' });
  await s.emulator.call('CreateGroup', { UserPoolId: pool, GroupName: 'staff' });
  const user = (username: string, attributes: Record<string, string>, groups: string[]) =>
    s.emulator.store.createUserDirect(pool, { username, attributes, password: PASSWORD, groups });
  user('victor', { email: 'victor@example.com', email_verified: 'true', phone_number: '+15555550111' }, [
    'sec-admins',
  ]);
  const tara = user('tara', { email: 'tara@example.com', email_verified: 'true' }, ['staff']);
  tara.mfa = { sms: false, totp: true, preferred: 'SOFTWARE_TOKEN_MFA', totpSecret: newTotpSecret() };
  expect((await s.functions.bulkSync({})).status).toBe('SUCCEEDED');
}, 120_000);

describe('artifact mode: sign-in migration against adversaries', () => {
  it('never gives a legacy user’s groups to a stranger who signs up with the victim’s legacy sub and phone', async () => {
    const s = stack();
    await outcomeOf(forgotPassword('victor'));
    const victorSub = s.emulator.store.pool(s.state.source.userPoolId).users.get('victor')!.sub;
    // An existing app client that may write the custom attribute, as pools the tool attaches to often have.
    const { UserPoolClient: lax } = await s.cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: s.state.target.userPoolId,
        ClientName: 'lax-app',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        WriteAttributes: ['custom:legacy_sub', 'phone_number', 'email'],
      }),
    );
    await s.cognito.send(
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
    await s.cognito.send(
      new AdminConfirmSignUpCommand({ UserPoolId: s.state.target.userPoolId, Username: 'mallory' }),
    );

    // The attack is real only if the stranger holds the victim's legacy sub.
    const { UserAttributes } = await s.cognito.send(
      new AdminGetUserCommand({ UserPoolId: s.state.target.userPoolId, Username: 'mallory' }),
    );
    expect(UserAttributes).toContainEqual({ Name: 'custom:legacy_sub', Value: victorSub });

    const mallory = await signIn(s, 'mallory');
    await s.functions.idle();

    expect(claimsOf(mallory.AuthenticationResult?.IdToken)['cognito:groups']).toBeUndefined();
    expect(await targetGroupsOf(s, 'mallory')).toEqual([]);
    await resetPassword('victor', `${PASSWORD}-2`);
    const victor = await signIn(s, 'victor', `${PASSWORD}-2`);
    await s.functions.idle();
    expect(claimsOf(victor.AuthenticationResult?.IdToken)['cognito:groups']).toEqual(['sec-admins']);
    expect(await targetGroupsOf(s, 'victor')).toEqual(['sec-admins']);
  }, 60_000);

  it('gives a migrated TOTP user no app session on the password alone until they re-enrol with an authenticator', async () => {
    const s = stack();
    expect(await outcomeOf(signIn(s, 'tara'))).toMatchObject({
      ok: false,
      name: 'PasswordResetRequiredException',
    });
    await resetPassword('tara', `${PASSWORD}-2`);

    const passwordOnly = await signIn(s, 'tara', `${PASSWORD}-2`);
    await s.functions.idle();

    const claims = claimsOf(passwordOnly.AuthenticationResult?.IdToken);
    expect(claims[MFA_ENROLMENT_CLAIM]).toBe('true');
    expect(claims['cognito:groups']).toBeUndefined();
    expect(await targetGroupsOf(s, 'tara')).toEqual([]);

    // What an app does with such a session: enrol a software token, then sign in again.
    const accessToken = passwordOnly.AuthenticationResult!.AccessToken!;
    const { SecretCode } = await s.cognito.send(
      new AssociateSoftwareTokenCommand({ AccessToken: accessToken }),
    );
    await s.cognito.send(
      new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: authenticatorCode(SecretCode!) }),
    );
    await s.cognito.send(
      new SetUserMFAPreferenceCommand({
        AccessToken: accessToken,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    const challenge = await signIn(s, 'tara', `${PASSWORD}-2`);
    expect(challenge.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    const answered = await s.cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: s.state.target.clientId,
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: 'tara', SOFTWARE_TOKEN_MFA_CODE: authenticatorCode(SecretCode!) },
      }),
    );
    await s.functions.idle();

    const full = claimsOf(answered.AuthenticationResult?.IdToken);
    expect(full[MFA_ENROLMENT_CLAIM]).toBeUndefined();
    expect(full['cognito:groups']).toEqual(['staff']);
    expect(await targetGroupsOf(s, 'tara')).toEqual(['staff']);
  }, 60_000);
});
