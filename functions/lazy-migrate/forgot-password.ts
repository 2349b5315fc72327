import type { UserMigrationForgotPasswordTriggerEvent } from 'aws-lambda';
import { inScope } from '#shared/migration-scope';
import { getUser } from '#shared/table/users';
import type { Deadline } from './deadline';
import { hasVerifiedContact, targetAttributes, type MigrationDecision } from './decision';
import type { LazyMigrateDeps } from './deps';
import { MigrationRefusedError, refuse } from './refusal';
import { resolveLogin, resolveMovedAlias } from './login-resolution';
import { matchKind } from './resolve-user';
import { fromSnapshot, getSourceUser, type SourceUser } from './source-user';

const ELIGIBLE_STATUSES = new Set(['CONFIRMED', 'RESET_REQUIRED']);
const UNCARRIED_FACTORS = ['SOFTWARE_TOKEN_MFA', 'EMAIL_OTP'];

/**
 * UserMigration_ForgotPassword: migrate into RESET_REQUIRED (Cognito then sends the reset code)
 * only an enabled, CONFIRMED or RESET_REQUIRED, non-federated source user with a verified email
 * or phone. No password is involved, so this path must be at least as strict as sign-in: a
 * disabled or unconfirmed user never gets in through it. A retired source is read from the snapshot.
 */
export const migrateOnForgotPassword = async (
  event: UserMigrationForgotPasswordTriggerEvent,
  deps: LazyMigrateDeps,
  deadline: Deadline,
): Promise<MigrationDecision> => {
  const { config, table } = deps;
  const typed = event.userName;
  const schemaPromise = deps
    .targetSchema()
    .catch((error: unknown) => refuse('TARGET_UNAVAILABLE', (error as Error).name));
  schemaPromise.catch(() => undefined);
  let resolved = await resolveLogin(deps, typed, deadline);
  let user: SourceUser;
  if (config.source.retired) {
    const { record } = resolved;
    if (!record || record.snapshotMissing) return refuse('USER_NOT_FOUND', 'not in snapshot');
    user = fromSnapshot(record);
  } else {
    const read = (name: string) =>
      getSourceUser(deps.source, config.source.userPoolId, name, deadline.signal);
    let current: SourceUser | undefined;
    try {
      current = await read(resolved.sourceUsername);
    } catch (error) {
      if (!(error instanceof MigrationRefusedError && error.reason === 'USER_NOT_FOUND')) throw error;
    }
    // The snapshot's holder of this email/phone no longer holds it: ask who does now.
    if (!current || !matchKind(current, typed)) {
      const moved = await resolveMovedAlias(deps, resolved, deadline);
      if (moved) {
        resolved = moved;
        current = await read(moved.sourceUsername);
      }
    }
    if (!current) return refuse('USER_NOT_FOUND');
    user = current;
  }
  const record =
    user.username === resolved.record?.username
      ? resolved.record
      : await getUser(table, user.username).catch(() => undefined);
  // Current attributes (the snapshot's when the source is retired): out of scope reads as unknown.
  if (!inScope(user.attributes, config.migrationScope)) refuse('OUT_OF_SCOPE');
  if (!user.enabled) refuse('USER_DISABLED');
  if (user.userStatus === 'EXTERNAL_PROVIDER' || user.attributes.identities) refuse('FEDERATED_USER');
  if (user.userStatus === 'UNCONFIRMED') refuse('USER_NOT_CONFIRMED');
  if (!ELIGIBLE_STATUSES.has(user.userStatus)) refuse('USER_STATUS_NOT_ELIGIBLE', user.userStatus);

  const schema = await schemaPromise;
  const { attributes, targetUsername, targetUsernameAttribute, dropped } = targetAttributes(
    typed,
    user,
    schema,
    config,
  );
  if (!hasVerifiedContact(attributes)) refuse('NO_VERIFIED_CONTACT');
  const methods = user.mfaMethods ?? [];
  const smsCarried =
    methods.includes('SMS_MFA') && schema.smsMfaAvailable && Boolean(attributes.phone_number);
  const reenrol =
    methods.some((m) => UNCARRIED_FACTORS.includes(m)) || (methods.includes('SMS_MFA') && !smsCarried);
  if (reenrol && config.mfaPolicy === 'reject') refuse('MFA_REJECTED');
  return {
    response: {
      userAttributes: attributes,
      finalUserStatus: 'RESET_REQUIRED',
      messageAction: 'SUPPRESS',
      ...(smsCarried ? { enableSMSMFA: true } : {}),
    },
    reason: config.source.retired ? 'FORGOT_PASSWORD_FROM_SNAPSHOT' : 'FORGOT_PASSWORD',
    sourceUsername: user.username,
    targetUsername,
    ...(targetUsernameAttribute ? { targetUsernameAttribute } : {}),
    sourceSub: user.attributes.sub ?? record?.sub,
    method: 'forgot-password',
    mfaReenrolRequired: reenrol,
    dropped,
  };
};
