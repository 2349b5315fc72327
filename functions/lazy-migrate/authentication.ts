import type { UserMigrationAuthenticationTriggerEvent } from 'aws-lambda';
import type { TargetSchema } from '#shared/attribute-mapping';
import { inScope } from '#shared/migration-scope';
import { getUser, type UserRecord } from '#shared/table/users';
import type { Deadline } from './deadline';
import {
  hasVerifiedContact,
  refuseForAdmin,
  targetAttributes,
  type MigrationDecision,
  type MigrationResponse,
} from './decision';
import type { LazyMigrateDeps } from './deps';
import { resolveLogin, resolveMovedAlias } from './login-resolution';
import { MigrationRefusedError, refuse } from './refusal';
import type { ResolvedUser } from './resolve-user';
import {
  attributesFromIdToken,
  getSourceUser,
  idTokenClaim,
  revokeRefreshToken,
  usernameFromIdToken,
  verifyPassword,
  type SourceUser,
} from './source-user';

/** Second factors the target pool cannot take over: the user resets the password and re-enrols. */
const UNCARRIED_FACTORS = new Set(['SOFTWARE_TOKEN_MFA', 'EMAIL_OTP', 'SELECT_MFA_TYPE']);

/**
 * Work a sign-in starts that must finish before the trigger answers, whatever the answer: the
 * revocation of each source refresh token a password check minted. A refusal after the check (out
 * of scope, disabled, ...) must wait for it too — Lambda freezes whatever runs on after the handler
 * returns, and a source token left unrevoked stays valid for its whole lifetime.
 */
export type FollowUps = Promise<unknown>[];

/**
 * UserMigration_Authentication: one password check against the source pool, then the answer
 * mapped per the source's result (tokens, challenge or error; see the README's table).
 */
export const migrateOnSignIn = async (
  event: UserMigrationAuthenticationTriggerEvent,
  deps: LazyMigrateDeps,
  deadline: Deadline,
  followUps: FollowUps,
): Promise<MigrationDecision> => {
  const typed = event.userName;
  // The schema is cached per container; on a cold start it loads while the source is asked.
  const schemaPromise = loadSchema(deps);
  schemaPromise.catch(() => undefined);
  const resolved = await resolveLogin(deps, typed, deadline);
  try {
    return await signInAs(resolved, event, deps, deadline, schemaPromise, followUps);
  } catch (error) {
    // The snapshot's holder of this email/phone turned it down (wrong password, or the address is
    // no longer theirs): whoever holds it in the source now may be the one signing in. Only then
    // is the source asked (one ListUsers) and the password checked against that user.
    if (!(error instanceof MigrationRefusedError) || !(await mayHaveMoved(error, resolved, schemaPromise))) {
      throw error;
    }
    // A lookup that fails leaves the first answer standing (a wrong password stays one).
    const moved = await resolveMovedAlias(deps, resolved, deadline).catch(() => undefined);
    if (!moved) throw error;
    return signInAs(moved, event, deps, deadline, schemaPromise, followUps);
  }
};

/**
 * Whether a refusal after a snapshot match by email/phone may mean the address moved: a wrong
 * password or an unknown user, or a user who no longer holds the address (when the target does
 * take that attribute as a sign-in name; otherwise the refusal is the target's rule, final).
 */
const mayHaveMoved = async (
  error: MigrationRefusedError,
  resolved: ResolvedUser,
  schemaPromise: Promise<TargetSchema>,
): Promise<boolean> => {
  const kind = resolved.matchedBy;
  if (kind !== 'email' && kind !== 'phone_number') return false;
  if (error.reason === 'INVALID_CREDENTIALS' || error.reason === 'USER_NOT_FOUND') return true;
  if (error.reason !== 'TYPED_NAME_NOT_A_SIGN_IN_ATTRIBUTE') return false;
  const schema = await schemaPromise;
  return schema.aliasAttributes.includes(kind) || schema.usernameAttributes.includes(kind);
};

/** One password check against the source user `resolved` names, and the decision from its answer. */
const signInAs = async (
  resolved: ResolvedUser,
  event: UserMigrationAuthenticationTriggerEvent,
  deps: LazyMigrateDeps,
  deadline: Deadline,
  schemaPromise: Promise<TargetSchema>,
  followUps: FollowUps,
): Promise<MigrationDecision> => {
  const { config, source, table } = deps;
  const typed = event.userName;
  const check = await verifyPassword(
    source,
    config.source,
    resolved.sourceUsername,
    event.request.password,
    deadline.signal,
  );
  // The record of the user the source itself resolved (tokens or AdminGetUser), never the typed name.
  const recordOf = async (username: string): Promise<UserRecord | undefined> =>
    username === resolved.record?.username
      ? resolved.record
      : await getUser(table, username).catch(() => undefined);

  const readUser = async (username = resolved.sourceUsername): Promise<SourceUser> => {
    const user = await getSourceUser(source, config.source.userPoolId, username, deadline.signal);
    checkSignInStatus(user);
    return user;
  };
  const decide = async (
    user: SourceUser,
    reason: string,
    finalUserStatus: MigrationResponse['finalUserStatus'],
    extra: { enableSMSMFA?: boolean; mfaReenrolRequired?: boolean } = {},
  ): Promise<MigrationDecision> => {
    // The source's current attributes decide, before anything is written: a user outside the
    // scope is answered as an unknown user is, and nothing is recorded for them.
    if (!inScope(user.attributes, config.migrationScope)) refuse('OUT_OF_SCOPE');
    const record = await recordOf(user.username);
    const { attributes, targetUsername, targetUsernameAttribute, dropped } = targetAttributes(
      typed,
      user,
      await schemaPromise,
      config,
    );
    if (finalUserStatus === 'RESET_REQUIRED' && !hasVerifiedContact(attributes)) {
      await refuseForAdmin(
        table,
        user.username,
        extra.mfaReenrolRequired ? 'MFA_NO_RECOVERY' : 'TEMPORARY_PASSWORD_NO_RECOVERY',
      );
    }
    return {
      response: {
        userAttributes: attributes,
        finalUserStatus,
        messageAction: 'SUPPRESS',
        ...(extra.enableSMSMFA ? { enableSMSMFA: true } : {}),
      },
      reason,
      sourceUsername: user.username,
      targetUsername,
      ...(targetUsernameAttribute ? { targetUsernameAttribute } : {}),
      sourceSub: user.attributes.sub ?? record?.sub,
      method: 'password',
      mfaReenrolRequired: extra.mfaReenrolRequired ?? false,
      dropped,
    };
  };
  const uncarriedFactor = async (user: SourceUser): Promise<MigrationDecision> => {
    if (config.mfaPolicy === 'reject') refuse('MFA_REJECTED');
    return decide(user, 'MFA_RESET', 'RESET_REQUIRED', { mfaReenrolRequired: true });
  };

  if (check.kind === 'tokens') {
    if (check.refreshToken) {
      const revocation = revokeRefreshToken(source, config.source, check.refreshToken, deadline.signal);
      // Handled here so a rejection before the caller waits is no unhandled rejection; logged there.
      revocation.catch(() => undefined);
      followUps.push(revocation);
    }
    // The token names the scope attribute's current value when the client may read it: out of
    // scope, the answer comes now, one source round trip, like an unknown user's.
    const scope = config.migrationScope;
    const claimed = scope && idTokenClaim(check.idToken, scope.attribute);
    if (scope && claimed !== undefined && !inScope({ [scope.attribute]: claimed }, scope))
      refuse('OUT_OF_SCOPE');
    const canonical = usernameFromIdToken(check.idToken);
    const record = canonical ? await recordOf(canonical) : undefined;
    const user = attributesFromIdToken(check.idToken, record) ?? (await readUser(canonical));
    return decide(user, 'PASSWORD_VERIFIED', 'CONFIRMED');
  }
  if (config.mfaPolicy === 'reject' && UNCARRIED_FACTORS.has(check.challenge)) refuse('MFA_REJECTED');
  switch (check.challenge) {
    case 'NEW_PASSWORD_REQUIRED':
      return decide(await readUser(), 'TEMPORARY_PASSWORD', 'RESET_REQUIRED');
    case 'MFA_SETUP':
      return decide(await readUser(), 'MFA_NOT_SET_UP', 'CONFIRMED');
    case 'SMS_MFA': {
      const user = await readUser();
      const schema = await schemaPromise;
      // enableSMSMFA needs MFA enabled on the target and a phone number, or the migration fails.
      const { attributes } = targetAttributes(typed, user, schema, config);
      if (schema.smsMfaAvailable && attributes.phone_number) {
        return decide(user, 'SMS_MFA_CARRIED', 'CONFIRMED', { enableSMSMFA: true });
      }
      return uncarriedFactor(user);
    }
    default:
      if (UNCARRIED_FACTORS.has(check.challenge)) return uncarriedFactor(await readUser());
      return refuse('UNSUPPORTED_CHALLENGE', check.challenge);
  }
};

/** Source statuses a password sign-in may migrate (a temporary password: FORCE_CHANGE_PASSWORD). */
const SIGN_IN_STATUSES = new Set(['CONFIRMED', 'FORCE_CHANGE_PASSWORD']);

/**
 * The source user's own status decides, not only the source's exception: a disabled, federated,
 * unconfirmed or otherwise ineligible user is refused even when the password check passed.
 */
const checkSignInStatus = (user: SourceUser): void => {
  if (!user.enabled) refuse('USER_DISABLED');
  if (user.userStatus === 'EXTERNAL_PROVIDER' || user.attributes.identities) refuse('FEDERATED_USER');
  if (user.userStatus === 'UNCONFIRMED') refuse('USER_NOT_CONFIRMED');
  if (!SIGN_IN_STATUSES.has(user.userStatus)) refuse('USER_STATUS_NOT_ELIGIBLE', user.userStatus);
};

const loadSchema = (deps: LazyMigrateDeps): Promise<TargetSchema> =>
  deps.targetSchema().catch((error: unknown) => refuse('TARGET_UNAVAILABLE', (error as Error).name));
