import {
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { seededRandom } from '#local/seeded-random';
import type { SeededUser } from '#local/seed';
import type { EmulatorOutbox } from '#local/cognito/index';

/** What one person did at the target pool's sign-in page, and what they got. */
export interface SignInResult {
  username: string;
  scenario: 'password' | 'wrong-password' | 'forgot-password';
  /** `tokens`, or the error / challenge that stopped them. */
  result: string;
}

export interface SignInContext {
  client: CognitoIdentityProviderClient;
  outbox: EmulatorOutbox;
  targetPoolId: string;
  clientId: string;
}

const errorName = (error: unknown) => (error instanceof Error ? error.name : 'Error');

/** How a person types their login name: as stored, in another case, or their email in mixed case. */
const typedName = (user: SeededUser, roll: number): string => {
  if (roll < 0.34) return user.username;
  if (roll < 0.67) return roll < 0.5 ? user.username.toUpperCase() : user.username.toLowerCase();
  return user.emailVerified ? user.email.replace(/^./, (c) => c.toUpperCase()) : user.username;
};

/** One USER_PASSWORD_AUTH sign-in (answering an SMS challenge from the outbox): `tokens` or what stopped it. */
export const signIn = async (ctx: SignInContext, username: string, password: string): Promise<string> => {
  try {
    const out = await ctx.client.send(
      new InitiateAuthCommand({
        ClientId: ctx.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    );
    if (out.AuthenticationResult) return 'tokens';
    if (out.ChallengeName !== 'SMS_MFA') return `challenge:${out.ChallengeName}`;
    // The SMS code the emulator "sent" to the user's phone, as the person would type it.
    const target = out.ChallengeParameters?.USER_ID_FOR_SRP ?? username;
    const code = ctx.outbox.latestCode(ctx.targetPoolId, target, 'mfa');
    const answer = await ctx.client.send(
      new RespondToAuthChallengeCommand({
        ClientId: ctx.clientId,
        ChallengeName: 'SMS_MFA',
        Session: out.Session,
        ChallengeResponses: { USERNAME: target, SMS_MFA_CODE: code ?? '' },
      }),
    );
    return answer.AuthenticationResult ? 'tokens' : `challenge:${answer.ChallengeName}`;
  } catch (error) {
    return errorName(error);
  }
};

/** Forgot-password, the code from the outbox, a new password, a sign-in: `tokens` or what stopped it. */
export const forgotPassword = async (
  ctx: SignInContext,
  user: Pick<SeededUser, 'username' | 'password'>,
): Promise<string> => {
  try {
    await ctx.client.send(new ForgotPasswordCommand({ ClientId: ctx.clientId, Username: user.username }));
    const code = ctx.outbox.latestCode(ctx.targetPoolId, user.username, 'reset');
    if (!code) return 'NoCodeDelivered';
    const password = `${user.password}-new`;
    await ctx.client.send(
      new ConfirmForgotPasswordCommand({
        ClientId: ctx.clientId,
        Username: user.username,
        ConfirmationCode: code,
        Password: password,
      }),
    );
    return await signIn(ctx, user.username, password);
  } catch (error) {
    return errorName(error);
  }
};

/**
 * Plays the window: a share of users sign in through the target pool (right password in varying
 * case or by email, some after a wrong attempt), some only get their password wrong, some use
 * forgot-password; the rest never show up. Deterministic for a seed.
 */
export const playSignIns = async (
  ctx: SignInContext,
  users: readonly SeededUser[],
  options: { share: number; seed: number; concurrency?: number; onProgress?: (done: number) => void },
): Promise<SignInResult[]> => {
  const random = seededRandom(options.seed + 7919);
  const plan = users.flatMap((user) => {
    const roll = random();
    const caseRoll = random();
    const wrongFirst = random() < 0.1;
    if (roll >= options.share) return [];
    const scenario: SignInResult['scenario'] =
      roll < options.share * 0.8
        ? 'password'
        : roll < options.share * 0.9
          ? 'wrong-password'
          : 'forgot-password';
    return [{ user, scenario, name: typedName(user, caseRoll), wrongFirst }];
  });
  const results: SignInResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < plan.length) {
      const { user, scenario, name, wrongFirst } = plan[next++]!;
      let result: string;
      if (scenario === 'forgot-password') result = await forgotPassword(ctx, user);
      else if (scenario === 'wrong-password') result = await signIn(ctx, name, `${user.password}x`);
      else {
        if (wrongFirst) await signIn(ctx, name, `${user.password}x`);
        result = await signIn(ctx, name, user.password);
      }
      results.push({ username: user.username, scenario, result });
      options.onProgress?.(results.length);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return results;
};

/**
 * What each RESET_SENT user of the campaign does with the email: ConfirmForgotPassword with the
 * last code they were sent, then sign in with the new password. Returns the users for whom that
 * failed (a dead code: another password was set after it, or no code came), with the reason.
 */
export const completeResets = async (
  ctx: SignInContext,
  usernames: readonly string[],
  options: { concurrency?: number } = {},
): Promise<string[]> => {
  const failed: string[] = [];
  const password = 'Reset-by-Code-Passw0rd!';
  let next = 0;
  const worker = async () => {
    while (next < usernames.length) {
      const username = usernames[next++]!;
      const code = ctx.outbox.latestCode(ctx.targetPoolId, username, 'reset');
      try {
        if (!code) throw Object.assign(new Error('no code'), { name: 'NoCodeDelivered' });
        await ctx.client.send(
          new ConfirmForgotPasswordCommand({
            ClientId: ctx.clientId,
            Username: username,
            ConfirmationCode: code,
            Password: password,
          }),
        );
        const result = await signIn(ctx, username, password);
        if (result !== 'tokens') failed.push(`${username} (${result})`);
      } catch (error) {
        failed.push(`${username} (${errorName(error)})`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return failed;
};
