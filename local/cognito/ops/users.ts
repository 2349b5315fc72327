import { checkPolicy, hashPassword, temporaryPassword, verificationCode } from '../passwords';
import { invalidParameter, unsupportedUserState, usernameExists } from '../errors';
import { checkAttributes, checkRequired, fromAttributeList } from '../schema';
import { deliver } from '../delivery';
import { runPreSignUp } from '../pre-sign-up';
import { mfaView, userType } from '../user-view';
import { seconds, type Input, type OpContext, type Operation } from '../context';
import type { Attributes, PoolRecord, UserRecord } from '../types';

const EMAIL_FORMAT = /^[^@\s]+@[^@\s]+$/;
const PHONE_FORMAT = /^\+\d{4,15}$/;

/**
 * Applies the pool's username rules: in an email/phone-as-username pool the value goes into
 * that attribute (the stored username becomes the sub); in an alias pool the username may not
 * look like an alias.
 */
export function usernameRules(pool: PoolRecord, username: unknown, attributes: Attributes): string {
  if (typeof username !== 'string' || username === '' || username.length > 128)
    throw invalidParameter('Username is required and must be at most 128 characters.');
  if (pool.usernameAttributes.length > 0) {
    const attr =
      pool.usernameAttributes.includes('email') && EMAIL_FORMAT.test(username)
        ? 'email'
        : pool.usernameAttributes.includes('phone_number') && PHONE_FORMAT.test(username)
          ? 'phone_number'
          : undefined;
    if (!attr) throw invalidParameter('Username should be either an email or a phone number.');
    attributes[attr] ??= username;
    return username;
  }
  if (pool.aliasAttributes.includes('email') && EMAIL_FORMAT.test(username))
    throw invalidParameter(
      'Username cannot be of email format, since user pool is configured for email alias.',
    );
  if (pool.aliasAttributes.includes('phone_number') && PHONE_FORMAT.test(username))
    throw invalidParameter(
      'Username cannot be of phone number format, since user pool is configured for phone number alias.',
    );
  return username;
}

function sendInvitation(
  ctx: OpContext,
  pool: PoolRecord,
  user: UserRecord,
  mediums: unknown,
  password: string,
): void {
  const requested = mediums === undefined ? undefined : (mediums as string[]);
  if (requested && requested.some((m) => m !== 'EMAIL' && m !== 'SMS'))
    throw invalidParameter('DesiredDeliveryMediums must contain EMAIL or SMS.');
  const usable = (requested ?? ['SMS', 'EMAIL']).filter((m) =>
    m === 'EMAIL' ? user.attributes.email : user.attributes.phone_number,
  ) as ('EMAIL' | 'SMS')[];
  const targets = requested ? usable : usable.slice(0, 1);
  for (const medium of targets)
    deliver(ctx, pool, user, 'invitation', medium, { temporaryPassword: password });
}

const AdminCreateUser: Operation = async (input, ctx) => {
  const { store } = ctx;
  const pool = store.pool(input.UserPoolId);
  const action = input.MessageAction;
  if (action !== undefined && action !== 'SUPPRESS' && action !== 'RESEND')
    throw invalidParameter('MessageAction must be RESEND or SUPPRESS.');
  if (action === 'RESEND') {
    const user = store.requireUser(pool, input.Username);
    if (user.status !== 'FORCE_CHANGE_PASSWORD')
      throw unsupportedUserState('Resend not possible. User status is not FORCE_CHANGE_PASSWORD.');
    const password = input.TemporaryPassword ?? temporaryPassword();
    user.password = hashPassword(password);
    sendInvitation(ctx, pool, user, input.DesiredDeliveryMediums, password);
    return { User: userType(user) };
  }
  const attributes = fromAttributeList(input.UserAttributes);
  const username = usernameRules(pool, input.Username, attributes);
  checkAttributes(pool, attributes, 'create');
  checkRequired(pool, attributes);
  if (pool.users.has(store.keyOf(pool, username))) throw usernameExists('User account already exists');
  if (input.TemporaryPassword !== undefined)
    checkPolicy(pool.settings.Policies.PasswordPolicy, input.TemporaryPassword);
  const password = input.TemporaryPassword ?? temporaryPassword();
  await runPreSignUp(ctx, pool, 'PreSignUp_AdminCreateUser', username, attributes, input, undefined);
  const user = store.newUser(pool, username, attributes, 'FORCE_CHANGE_PASSWORD');
  user.password = hashPassword(password);
  store.claimAliases(pool, user, input.ForceAliasCreation === true);
  store.insert(pool, user);
  if (action !== 'SUPPRESS') sendInvitation(ctx, pool, user, input.DesiredDeliveryMediums, password);
  return { User: userType(user) };
};

const AdminGetUser: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  const user = ctx.store.requireUser(pool, input.Username);
  return {
    Username: user.username,
    UserAttributes: Object.entries(user.attributes).map(([Name, Value]) => ({ Name, Value })),
    UserCreateDate: seconds(user.created),
    UserLastModifiedDate: seconds(user.modified),
    Enabled: user.enabled,
    UserStatus: user.status,
    ...mfaView(user),
  };
};

const AdminDeleteUser: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  ctx.store.remove(pool, ctx.store.requireUser(pool, input.Username));
  return {};
};

const setEnabled =
  (enabled: boolean): Operation =>
  (input, ctx) => {
    const pool = ctx.store.pool(input.UserPoolId);
    const user = ctx.store.requireUser(pool, input.Username);
    ctx.store.update(pool, user, () => {
      user.enabled = enabled;
    });
    // Disabling a user also invalidates the tokens already issued to them.
    if (!enabled) user.tokensValidAfter = Math.floor(ctx.now() / 1000) * 1000;
    return {};
  };

/** The attribute changes of an update, with AWS's side effect: a changed address becomes unverified. */
export function applyAttributeUpdate(
  ctx: OpContext,
  pool: PoolRecord,
  user: UserRecord,
  changes: Attributes,
): ('EMAIL' | 'SMS')[] {
  checkAttributes(pool, changes, 'update');
  const next = { ...user.attributes, ...changes };
  const toVerify: ('EMAIL' | 'SMS')[] = [];
  for (const [attr, flag, medium] of [
    ['email', 'email_verified', 'EMAIL'],
    ['phone_number', 'phone_number_verified', 'SMS'],
  ] as const) {
    if (attr in changes && changes[attr] !== user.attributes[attr] && !(flag in changes)) {
      next[flag] = 'false';
      if (pool.settings.AutoVerifiedAttributes.includes(attr)) toVerify.push(medium);
    }
  }
  ctx.store.claimAliases(pool, { ...user, attributes: next }, false);
  ctx.store.update(pool, user, () => {
    user.attributes = Object.assign(Object.create(null), next);
  });
  return toVerify;
}

const AdminUpdateUserAttributes: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  const user = ctx.store.requireUser(pool, input.Username);
  const toVerify = applyAttributeUpdate(ctx, pool, user, fromAttributeList(input.UserAttributes));
  for (const medium of toVerify) sendVerification(ctx, pool, user, medium);
  return {};
};

export function sendVerification(
  ctx: OpContext,
  pool: PoolRecord,
  user: UserRecord,
  medium: 'EMAIL' | 'SMS',
) {
  const code = verificationCode();
  const attr = medium === 'EMAIL' ? 'email' : 'phone_number';
  user.codes.verify = { ...user.codes.verify, [attr]: { code, expires: ctx.now() + 24 * 3600_000 } };
  return deliver(ctx, pool, user, 'verification', medium, { code });
}

const AdminDeleteUserAttributes: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  const user = ctx.store.requireUser(pool, input.Username);
  const names = (input.UserAttributeNames ?? []) as string[];
  for (const name of names)
    if (name === 'sub' || !pool.schema.has(name)) throw invalidParameter(`Invalid attribute ${name}.`);
  ctx.store.update(pool, user, () => {
    for (const name of names) delete user.attributes[name];
  });
  return {};
};

const AdminSetUserPassword: Operation = (input: Input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  const user = ctx.store.requireUser(pool, input.Username);
  checkPolicy(pool.settings.Policies.PasswordPolicy, input.Password);
  ctx.store.update(pool, user, () => {
    user.password = hashPassword(input.Password);
    user.status = input.Permanent === true ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
    user.codes.reset = undefined;
  });
  return {};
};

const AdminUserGlobalSignOut: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  const user = ctx.store.requireUser(pool, input.Username);
  user.tokensValidAfter = Math.floor(ctx.now() / 1000) * 1000;
  for (const grant of ctx.tokens.refreshGrants.values())
    if (grant.poolId === pool.id && grant.userKey === user.key) ctx.tokens.revoke(grant);
  return {};
};

export const userOperations: Record<string, Operation> = {
  AdminCreateUser,
  AdminGetUser,
  AdminDeleteUser,
  AdminDisableUser: setEnabled(false),
  AdminEnableUser: setEnabled(true),
  AdminUpdateUserAttributes,
  AdminDeleteUserAttributes,
  AdminSetUserPassword,
  AdminUserGlobalSignOut,
};
