import { createHmac } from 'node:crypto';
import { CognitoError } from '../errors';
import { OPERATIONS } from '../dispatch';
import { passwordSignIn } from '../sign-in';
import { issueAuthorizationCode } from './codes';
import {
  confirmForgotPasswordPage,
  forgotPasswordPage,
  loginPage,
  mfaCodePage,
  newPasswordPage,
  selectMfaPage,
} from './pages';
import { html, type Reply } from './reply';
import type { AuthorizeRequest } from './authorize-request';
import type { OpContext } from '../context';
import type { AuthenticationResult } from '../issue';

// Managed login shows one text for a wrong password and for a user it does not know (or could
// not migrate), so the page never tells which usernames exist.
const INCORRECT = 'Incorrect username or password.';

interface SignInAnswer {
  AuthenticationResult?: AuthenticationResult;
  ChallengeName?: string;
  Session?: string;
  ChallengeParameters?: Record<string, string>;
}

/** SECRET_HASH for a client with a secret: managed login holds the secret and signs for the user. */
function secretHash(req: AuthorizeRequest, username: string): Record<string, string> {
  if (!req.client.secret) return {};
  const hash = createHmac('sha256', req.client.secret)
    .update(username + req.client.id)
    .digest('base64');
  return { SECRET_HASH: hash };
}

/** The page for a sign-in answer: a challenge form, or the redirect with a code. */
function next(ctx: OpContext, req: AuthorizeRequest, username: string, answer: SignInAnswer): Reply {
  if (answer.AuthenticationResult) return issueAuthorizationCode(ctx, req, answer.AuthenticationResult);
  const session = answer.Session ?? '';
  const params = answer.ChallengeParameters ?? {};
  const base = { query: req.query, session, username };
  switch (answer.ChallengeName) {
    case 'SMS_MFA':
    case 'SOFTWARE_TOKEN_MFA':
      return html(
        mfaCodePage({
          ...base,
          challenge: answer.ChallengeName,
          destination: params.CODE_DELIVERY_DESTINATION,
        }),
      );
    case 'SELECT_MFA_TYPE':
      return html(selectMfaPage(base));
    case 'NEW_PASSWORD_REQUIRED':
      return html(newPasswordPage({ ...base, requiredAttributes: requiredAttributes(params) }));
    default:
      return html(
        loginPage({
          query: req.query,
          error: `${answer.ChallengeName ?? 'This sign-in step'} is not supported by the emulator's managed login.`,
        }),
      );
  }
}

function requiredAttributes(params: Record<string, string>): string[] {
  try {
    return (JSON.parse(params.requiredAttributes ?? '[]') as string[]).map((a) =>
      a.replace(/^userAttributes\./, ''),
    );
  } catch {
    return [];
  }
}

/**
 * POST /login: signs in through the emulator's own USER_PASSWORD_AUTH path (UserMigration for a
 * user the pool does not know, PreTokenGeneration with TokenGeneration_HostedAuth,
 * PostAuthentication), whatever the client's ExplicitAuthFlows, as managed login does.
 */
export async function submitLogin(
  ctx: OpContext,
  req: AuthorizeRequest,
  form: URLSearchParams,
): Promise<Reply> {
  const username = form.get('username')?.trim() ?? '';
  const password = form.get('password') ?? '';
  if (!username || !password)
    return html(loginPage({ query: req.query, username, error: 'Username and password are required.' }), 400);
  try {
    const answer = (await passwordSignIn(
      ctx,
      req.pool,
      req.client,
      username,
      password,
      undefined,
      'TokenGeneration_HostedAuth',
    )) as SignInAnswer;
    return next(ctx, req, username, answer);
  } catch (error) {
    if (!(error instanceof CognitoError)) throw error;
    if (
      error.name === 'UserNotFoundException' ||
      (error.name === 'NotAuthorizedException' && error.message === INCORRECT)
    )
      return html(loginPage({ query: req.query, username, error: INCORRECT }), 400);
    if (error.name === 'PasswordResetRequiredException') return startReset(ctx, req, username, error.message);
    return html(loginPage({ query: req.query, username, error: error.message }), 400);
  }
}

/** POST /login/challenge: an MFA code, an MFA choice or a new password, through RespondToAuthChallenge. */
export async function submitChallenge(
  ctx: OpContext,
  req: AuthorizeRequest,
  form: URLSearchParams,
): Promise<Reply> {
  const session = form.get('session') ?? '';
  const username = form.get('username') ?? '';
  const challenge = form.get('challenge') ?? '';
  const responses: Record<string, string> = { USERNAME: username, ...secretHash(req, username) };
  const again = (error: string): Reply => {
    const base = { query: req.query, session, username, error };
    if (challenge === 'NEW_PASSWORD_REQUIRED') {
      const attrs = [...form.keys()].filter((k) => k.startsWith('attr.')).map((k) => k.slice(5));
      return html(newPasswordPage({ ...base, requiredAttributes: attrs }), 400);
    }
    if (challenge === 'SELECT_MFA_TYPE') return html(selectMfaPage(base), 400);
    return html(mfaCodePage({ ...base, challenge }), 400);
  };
  if (challenge === 'SMS_MFA') responses.SMS_MFA_CODE = form.get('code') ?? '';
  else if (challenge === 'SOFTWARE_TOKEN_MFA') responses.SOFTWARE_TOKEN_MFA_CODE = form.get('code') ?? '';
  else if (challenge === 'SELECT_MFA_TYPE') responses.ANSWER = form.get('answer') ?? '';
  else if (challenge === 'NEW_PASSWORD_REQUIRED') {
    if (form.get('newPassword') !== form.get('confirmPassword')) return again('Passwords do not match.');
    responses.NEW_PASSWORD = form.get('newPassword') ?? '';
    for (const [key, value] of form)
      if (key.startsWith('attr.')) responses[`userAttributes.${key.slice(5)}`] = value;
  }
  try {
    const answer = (await OPERATIONS.RespondToAuthChallenge!(
      { ClientId: req.client.id, ChallengeName: challenge, Session: session, ChallengeResponses: responses },
      ctx,
    )) as SignInAnswer;
    return next(ctx, req, username, answer);
  } catch (error) {
    if (!(error instanceof CognitoError)) throw error;
    // An expired or unknown session starts over at the password.
    if (error.name === 'NotAuthorizedException' && error.message.startsWith('Invalid session'))
      return html(loginPage({ query: req.query, username, error: error.message }), 400);
    return again(error.message);
  }
}

/** Sends a reset code (ForgotPassword, so UserMigration_ForgotPassword runs) and shows the code form. */
async function startReset(ctx: OpContext, req: AuthorizeRequest, username: string, notice?: string) {
  try {
    const answer = (await OPERATIONS.ForgotPassword!(
      { ClientId: req.client.id, Username: username, ...secretHashParam(req, username) },
      ctx,
    )) as { CodeDeliveryDetails?: { Destination?: string } };
    return html(
      confirmForgotPasswordPage({
        query: req.query,
        username,
        destination: answer.CodeDeliveryDetails?.Destination,
        notice,
      }),
    );
  } catch (error) {
    if (!(error instanceof CognitoError)) throw error;
    return html(forgotPasswordPage({ query: req.query, error: error.message }), 400);
  }
}

function secretHashParam(req: AuthorizeRequest, username: string): { SecretHash?: string } {
  const hash = secretHash(req, username).SECRET_HASH;
  return hash ? { SecretHash: hash } : {};
}

/** POST /forgotPassword. */
export function submitForgotPassword(ctx: OpContext, req: AuthorizeRequest, form: URLSearchParams) {
  const username = form.get('username')?.trim() ?? '';
  if (!username) return html(forgotPasswordPage({ query: req.query, error: 'Username is required.' }), 400);
  return startReset(ctx, req, username);
}

/** POST /confirmForgotPassword: the code and the new password, then back to the sign-in form. */
export async function submitConfirmForgotPassword(
  ctx: OpContext,
  req: AuthorizeRequest,
  form: URLSearchParams,
): Promise<Reply> {
  const username = form.get('username') ?? '';
  const again = (error: string) =>
    html(confirmForgotPasswordPage({ query: req.query, username, error }), 400);
  if (form.get('password') !== form.get('confirmPassword')) return again('Passwords do not match.');
  try {
    await OPERATIONS.ConfirmForgotPassword!(
      {
        ClientId: req.client.id,
        Username: username,
        ConfirmationCode: form.get('code') ?? '',
        Password: form.get('password') ?? '',
        ...secretHashParam(req, username),
      },
      ctx,
    );
  } catch (error) {
    if (!(error instanceof CognitoError)) throw error;
    return again(error.message);
  }
  return html(
    loginPage({
      query: req.query,
      username,
      notice: 'Your password has been reset. Sign in with the new password.',
    }),
  );
}
