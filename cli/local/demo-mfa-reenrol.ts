import {
  AssociateSoftwareTokenCommand,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Secret, TOTP } from 'otpauth';
import { MFA_ENROLMENT_CLAIM } from '../../functions/group-sync/mfa-gate';
import type { SignInContext } from './demo-sign-ins';

/** What the TOTP user saw at each step of re-enrolling after the migration. */
export interface ReenrolReport {
  username: string;
  /** The password-only session: the enrolment claim set and no group in the ID token. */
  passwordOnly: { enrolmentRequired: boolean; groups: string[] };
  /** After enrolling an authenticator and answering SOFTWARE_TOKEN_MFA. */
  afterEnrolment: { challenge: string | undefined; enrolmentRequired: boolean; groups: string[] };
}

const claimsOf = (jwt: string | undefined): Record<string, unknown> =>
  JSON.parse(Buffer.from(String(jwt).split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;

const summary = (idToken: string | undefined) => {
  const claims = claimsOf(idToken);
  return {
    enrolmentRequired: claims[MFA_ENROLMENT_CLAIM] === 'true',
    groups: (claims['cognito:groups'] as string[] | undefined) ?? [],
  };
};

/** A real authenticator app's code (RFC 6238, SHA-1, 30 s, 6 digits) from the otpauth library. */
const authenticatorCode = (secret: string) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate();

/**
 * A TOTP user's way back in, exactly as an app must drive it (see the README, "Users whose second
 * factor could not move"): forgot-password (migrates them into RESET_REQUIRED and sends a code),
 * a new password, a sign-in that yields a restricted session (`mfa_enrolment_required`, no
 * groups), AssociateSoftwareToken + VerifySoftwareToken with the authenticator's code,
 * SetUserMFAPreference, and a second sign-in answered with SOFTWARE_TOKEN_MFA — full session.
 */
export const reenrolTotpUser = async (
  ctx: SignInContext,
  user: { username: string; password: string },
): Promise<ReenrolReport> => {
  const { client, clientId } = ctx;
  const password = `${user.password}-totp`;
  await client.send(new ForgotPasswordCommand({ ClientId: clientId, Username: user.username }));
  await client.send(
    new ConfirmForgotPasswordCommand({
      ClientId: clientId,
      Username: user.username,
      ConfirmationCode: ctx.outbox.latestCode(ctx.targetPoolId, user.username, 'reset') ?? '',
      Password: password,
    }),
  );
  const signIn = () =>
    client.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: user.username, PASSWORD: password },
      }),
    );
  const first = await signIn();
  const accessToken = first.AuthenticationResult?.AccessToken;
  const { SecretCode } = await client.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
  await client.send(
    new VerifySoftwareTokenCommand({
      AccessToken: accessToken,
      UserCode: authenticatorCode(SecretCode ?? ''),
    }),
  );
  await client.send(
    new SetUserMFAPreferenceCommand({
      AccessToken: accessToken,
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
  const second = await signIn();
  const answered = await client.send(
    new RespondToAuthChallengeCommand({
      ClientId: clientId,
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      Session: second.Session,
      ChallengeResponses: {
        USERNAME: user.username,
        SOFTWARE_TOKEN_MFA_CODE: authenticatorCode(SecretCode ?? ''),
      },
    }),
  );
  return {
    username: user.username,
    passwordOnly: summary(first.AuthenticationResult?.IdToken),
    afterEnrolment: { challenge: second.ChallengeName, ...summary(answered.AuthenticationResult?.IdToken) },
  };
};
