import { codeMismatch, expiredCode, notAuthorized, userNotFound, usernameExists } from '../errors';
import { checkPolicy, hashPassword, verificationCode } from '../passwords';
import { checkAttributes, checkRequired, fromAttributeList } from '../schema';
import { deliver, mask, recoveryMedium } from '../delivery';
import { runPreSignUp } from '../pre-sign-up';
import { migrateUser, MigrationRefused } from '../migration';
import { TriggerFailure } from '../triggers';
import { checkSecretHash, clientById, clientMayWrite } from './clients';
import { usernameRules } from './users';
import type { OpContext, Operation } from '../context';
import type { ClientRecord, PendingCode, PoolRecord, UserRecord } from '../types';

const HOUR = 3600_000;

/** Checks a one-time code as AWS does: mismatch and expiry are different errors. */
function checkCode(pending: PendingCode | undefined, code: unknown, now: number): void {
  if (!pending || typeof code !== 'string' || pending.code !== code)
    throw codeMismatch('Invalid verification code provided, please try again.');
  if (pending.expires <= now) throw expiredCode('Invalid code provided, please request a code again.');
}

function sendSignUpCode(ctx: OpContext, pool: PoolRecord, user: UserRecord) {
  const auto = pool.settings.AutoVerifiedAttributes;
  const medium =
    auto.includes('email') && user.attributes.email
      ? 'EMAIL'
      : auto.includes('phone_number') && user.attributes.phone_number
        ? 'SMS'
        : undefined;
  if (!medium) return undefined;
  const code = verificationCode();
  user.codes.signup = { code, expires: ctx.now() + 24 * HOUR };
  return deliver(ctx, pool, user, 'signup', medium, { code });
}

/** The answer for an unknown user on the recovery paths, honouring PreventUserExistenceErrors. */
function unknownForRecovery(
  client: ClientRecord,
  typed: string,
  detail = 'Username/client id combination not found.',
) {
  if (client.preventUserExistenceErrors !== 'ENABLED') throw userNotFound(detail);
  const medium = typed.includes('@') ? 'EMAIL' : 'SMS';
  return {
    CodeDeliveryDetails: {
      Destination: mask(medium, typed),
      DeliveryMedium: medium,
      AttributeName: medium === 'EMAIL' ? 'email' : 'phone_number',
    },
  };
}

const SignUp: Operation = async (input, ctx) => {
  const { pool, client } = clientById(ctx.store.pools, input.ClientId);
  checkSecretHash(client, String(input.Username ?? ''), input.SecretHash);
  if (pool.settings.AdminCreateUserConfig.AllowAdminCreateUserOnly)
    throw notAuthorized('SignUp is not permitted for this user pool');
  const attributes = fromAttributeList(input.UserAttributes);
  const username = usernameRules(pool, input.Username, attributes);
  checkAttributes(pool, attributes, 'create');
  if (Object.keys(attributes).some((a) => !clientMayWrite(client, a)))
    throw notAuthorized('A client attempted to write unauthorized attribute');
  checkRequired(pool, attributes);
  checkPolicy(pool.settings.Policies.PasswordPolicy, input.Password);
  if (pool.users.has(ctx.store.keyOf(pool, username))) throw usernameExists('User already exists');
  const response = await runPreSignUp(ctx, pool, 'PreSignUp_SignUp', username, attributes, input, client.id);
  const user = ctx.store.newUser(
    pool,
    username,
    attributes,
    response.autoConfirmUser ? 'CONFIRMED' : 'UNCONFIRMED',
  );
  if (response.autoVerifyEmail && user.attributes.email) user.attributes.email_verified = 'true';
  if (response.autoVerifyPhone && user.attributes.phone_number)
    user.attributes.phone_number_verified = 'true';
  user.password = hashPassword(input.Password);
  ctx.store.claimAliases(pool, user, false);
  ctx.store.insert(pool, user);
  const delivery = user.status === 'UNCONFIRMED' ? sendSignUpCode(ctx, pool, user) : undefined;
  return {
    UserConfirmed: user.status === 'CONFIRMED',
    UserSub: user.sub,
    ...(delivery ? { CodeDeliveryDetails: delivery } : {}),
  };
};

async function confirm(
  ctx: OpContext,
  pool: PoolRecord,
  user: UserRecord,
  force: boolean,
  clientId?: string,
  meta?: Record<string, string>,
) {
  const medium =
    user.codes.signup && pool.settings.AutoVerifiedAttributes.includes('email') && user.attributes.email
      ? 'email'
      : 'phone_number';
  const next = { ...user, attributes: { ...user.attributes } };
  if (user.codes.signup && next.attributes[medium]) next.attributes[`${medium}_verified`] = 'true';
  ctx.store.claimAliases(pool, next, force);
  ctx.store.update(pool, user, () => {
    user.status = 'CONFIRMED';
    user.attributes = Object.assign(Object.create(null), next.attributes);
    user.codes.signup = undefined;
  });
  try {
    await ctx.triggers.invoke({
      pool,
      trigger: 'PostConfirmation',
      triggerSource: 'PostConfirmation_ConfirmSignUp',
      userName: user.username,
      clientId,
      region: ctx.region,
      request: { userAttributes: { ...user.attributes }, clientMetadata: meta ?? {} },
    });
  } catch (error) {
    throw error instanceof TriggerFailure ? error.toCognitoError() : error;
  }
}

const ConfirmSignUp: Operation = async (input, ctx) => {
  const { pool, client } = clientById(ctx.store.pools, input.ClientId);
  checkSecretHash(client, String(input.Username ?? ''), input.SecretHash);
  const user = ctx.store.findUser(pool, input.Username);
  if (!user) return unknownForRecovery(client, String(input.Username ?? ''));
  if (user.status === 'CONFIRMED')
    throw notAuthorized('User cannot be confirmed. Current status is CONFIRMED');
  checkCode(user.codes.signup, input.ConfirmationCode, ctx.now());
  await confirm(ctx, pool, user, input.ForceAliasCreation === true, client.id, input.ClientMetadata);
  return {};
};

const AdminConfirmSignUp: Operation = async (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  const user = ctx.store.requireUser(pool, input.Username);
  if (user.status !== 'UNCONFIRMED')
    throw notAuthorized(`User cannot be confirmed. Current status is ${user.status}`);
  await confirm(ctx, pool, user, false, undefined, input.ClientMetadata);
  return {};
};

const ResendConfirmationCode: Operation = (input, ctx) => {
  const { pool, client } = clientById(ctx.store.pools, input.ClientId);
  checkSecretHash(client, String(input.Username ?? ''), input.SecretHash);
  const user = ctx.store.findUser(pool, input.Username);
  if (!user) return unknownForRecovery(client, String(input.Username ?? ''));
  if (user.status !== 'UNCONFIRMED') throw notAuthorized('User is already confirmed.');
  const delivery = sendSignUpCode(ctx, pool, user);
  return delivery ? { CodeDeliveryDetails: delivery } : {};
};

/** A user who never set a first password cannot be reset (AWS refuses FORCE_CHANGE_PASSWORD). */
function checkResettable(user: UserRecord): void {
  if (user.status === 'FORCE_CHANGE_PASSWORD')
    throw notAuthorized('User password cannot be reset in the current state.');
}

function sendResetCode(ctx: OpContext, pool: PoolRecord, user: UserRecord) {
  checkResettable(user);
  const medium = recoveryMedium(pool, user);
  const code = verificationCode();
  user.codes.reset = { code, expires: ctx.now() + HOUR };
  return deliver(ctx, pool, user, 'reset', medium, { code });
}

/**
 * ForgotPassword: a user the pool does not know goes through UserMigration_ForgotPassword and
 * is created RESET_REQUIRED before the code is sent.
 */
const ForgotPassword: Operation = async (input, ctx) => {
  const { pool, client } = clientById(ctx.store.pools, input.ClientId);
  const typed = String(input.Username ?? '');
  checkSecretHash(client, typed, input.SecretHash);
  let user = ctx.store.findUser(pool, typed);
  if (!user) {
    if (!ctx.triggers.has(pool, 'UserMigration')) return unknownForRecovery(client, typed);
    try {
      user = await migrateUser(
        ctx,
        pool,
        client,
        typed,
        'UserMigration_ForgotPassword',
        undefined,
        input.ClientMetadata,
      );
    } catch (error) {
      if (error instanceof MigrationRefused) return unknownForRecovery(client, typed, error.message);
      throw error;
    }
  }
  if (!user.enabled) throw notAuthorized('User is disabled.');
  return { CodeDeliveryDetails: sendResetCode(ctx, pool, user) };
};

const ConfirmForgotPassword: Operation = (input, ctx) => {
  const { pool, client } = clientById(ctx.store.pools, input.ClientId);
  checkSecretHash(client, String(input.Username ?? ''), input.SecretHash);
  const user = ctx.store.findUser(pool, input.Username);
  if (!user) {
    if (client.preventUserExistenceErrors === 'ENABLED')
      throw codeMismatch('Invalid verification code provided, please try again.');
    throw userNotFound('Username/client id combination not found.');
  }
  checkCode(user.codes.reset, input.ConfirmationCode, ctx.now());
  checkPolicy(pool.settings.Policies.PasswordPolicy, input.Password);
  ctx.store.update(pool, user, () => {
    user.password = hashPassword(input.Password);
    user.status = 'CONFIRMED';
    user.codes.reset = undefined;
  });
  return {};
};

const AdminResetUserPassword: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  const user = ctx.store.requireUser(pool, input.Username);
  checkResettable(user);
  recoveryMedium(pool, user);
  ctx.store.update(pool, user, () => {
    user.status = 'RESET_REQUIRED';
  });
  sendResetCode(ctx, pool, user);
  return {};
};

export const recoveryOperations: Record<string, Operation> = {
  SignUp,
  ConfirmSignUp,
  AdminConfirmSignUp,
  ResendConfirmationCode,
  ForgotPassword,
  ConfirmForgotPassword,
  AdminResetUserPassword,
};
