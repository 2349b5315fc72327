import { enableSoftwareTokenMfa, invalidParameter, notAuthorized } from '../errors';
import { newTotpSecret, verifyTotp } from '../totp';
import { mfaView } from '../user-view';
import { userFromAccessToken } from './auth';
import type { Input, OpContext, Operation } from '../context';
import type { PoolRecord, UserRecord } from '../types';

interface MfaSetting {
  Enabled?: boolean;
  PreferredMfa?: boolean;
}

function setPreference(pool: PoolRecord, user: UserRecord, input: Input): void {
  const sms = input.SMSMfaSettings as MfaSetting | undefined;
  const totp = input.SoftwareTokenMfaSettings as MfaSetting | undefined;
  if (sms?.Enabled && !user.attributes.phone_number)
    throw invalidParameter('User does not have delivery config set to turn on SMS_MFA');
  if (totp?.Enabled && !user.mfa.totpSecret) throw invalidParameter('User has not set up software token mfa');
  if (sms) user.mfa.sms = sms.Enabled === true;
  if (totp) user.mfa.totp = totp.Enabled === true;
  if (sms?.PreferredMfa) user.mfa.preferred = 'SMS_MFA';
  else if (totp?.PreferredMfa) user.mfa.preferred = 'SOFTWARE_TOKEN_MFA';
  if (user.mfa.preferred === 'SMS_MFA' && !user.mfa.sms) user.mfa.preferred = undefined;
  if (user.mfa.preferred === 'SOFTWARE_TOKEN_MFA' && !user.mfa.totp) user.mfa.preferred = undefined;
  void pool;
}

const AdminSetUserMFAPreference: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  setPreference(pool, ctx.store.requireUser(pool, input.Username), input);
  return {};
};

const SetUserMFAPreference: Operation = (input, ctx) => {
  const { pool, user } = userFromAccessToken(ctx, input.AccessToken);
  setPreference(pool, user, input);
  return {};
};

const GetUser: Operation = (input, ctx) => {
  const { user } = userFromAccessToken(ctx, input.AccessToken);
  return {
    Username: user.username,
    UserAttributes: Object.entries(user.attributes).map(([Name, Value]) => ({ Name, Value })),
    ...mfaView(user),
  };
};

const GlobalSignOut: Operation = (input, ctx) => {
  const { pool, user } = userFromAccessToken(ctx, input.AccessToken);
  signOutEverywhere(ctx, pool, user);
  return {};
};

export function signOutEverywhere(ctx: OpContext, pool: PoolRecord, user: UserRecord): void {
  user.tokensValidAfter = Math.floor(ctx.now() / 1000) * 1000;
  for (const grant of ctx.tokens.refreshGrants.values())
    if (grant.poolId === pool.id && grant.userKey === user.key) ctx.tokens.revoke(grant);
}

// Secrets handed out by AssociateSoftwareToken, confirmed by VerifySoftwareToken.
const pendingSecrets = new WeakMap<UserRecord, string>();

const AssociateSoftwareToken: Operation = (input, ctx) => {
  if (!input.AccessToken) throw notAuthorized('AssociateSoftwareToken needs an AccessToken in the emulator.');
  const { user } = userFromAccessToken(ctx, input.AccessToken);
  const secret = newTotpSecret();
  pendingSecrets.set(user, secret);
  return { SecretCode: secret };
};

const VerifySoftwareToken: Operation = (input, ctx) => {
  const { user } = userFromAccessToken(ctx, input.AccessToken);
  const secret = pendingSecrets.get(user);
  if (!secret || !verifyTotp(secret, input.UserCode, ctx.now()))
    throw enableSoftwareTokenMfa('Code mismatch');
  user.mfa.totpSecret = secret;
  pendingSecrets.delete(user);
  return { Status: 'SUCCESS' };
};

export const accountOperations: Record<string, Operation> = {
  AdminSetUserMFAPreference,
  SetUserMFAPreference,
  GetUser,
  GlobalSignOut,
  AssociateSoftwareToken,
  VerifySoftwareToken,
};
