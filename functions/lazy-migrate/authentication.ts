import type { UserMigrationAuthenticationTriggerEvent } from 'aws-lambda';
import type { TargetSchema } from '#shared/attribute-mapping';
import type { Deadline } from './deadline';
import {
  hasVerifiedContact,
  refuseForAdmin,
  targetAttributes,
  type MigrationDecision,
  type MigrationResponse,
} from './decision';
import type { LazyMigrateDeps } from './deps';
import { refuse } from './refusal';
import { resolveSourceUser } from './resolve-user';
import {
  attributesFromIdToken,
  getSourceUser,
  revokeRefreshToken,
  verifyPassword,
  type SourceUser,
} from './source-user';

/** Second factors the target pool cannot take over: the user resets the password and re-enrols. */
const UNCARRIED_FACTORS = new Set(['SOFTWARE_TOKEN_MFA', 'EMAIL_OTP', 'SELECT_MFA_TYPE']);

export interface SignInResult {
  decision: MigrationDecision;
  /** Revocation of the source refresh token, under way; the caller waits for it within budget. */
  revocation?: Promise<void>;
}

/**
 * UserMigration_Authentication: one password check against the source pool, then the answer
 * mapped per the source's result (tokens, challenge or error; see the README's table).
 */
export const migrateOnSignIn = async (
  event: UserMigrationAuthenticationTriggerEvent,
  deps: LazyMigrateDeps,
  deadline: Deadline,
): Promise<SignInResult> => {
  const { config, source, table, logger } = deps;
  const typed = event.userName;
  // The schema is cached per container; on a cold start it loads while the source is asked.
  const schemaPromise = loadSchema(deps);
  schemaPromise.catch(() => undefined);
  const { sourceUsername, record } = await resolveSourceUser(table, typed, logger);
  const check = await verifyPassword(
    source,
    config.source,
    sourceUsername,
    event.request.password,
    deadline.signal,
  );

  const readUser = async (): Promise<SourceUser> => {
    const user = await getSourceUser(source, config.source.userPoolId, sourceUsername, deadline.signal);
    if (!user.enabled) refuse('USER_DISABLED');
    return user;
  };
  const decide = async (
    user: SourceUser,
    reason: string,
    finalUserStatus: MigrationResponse['finalUserStatus'],
    extra: { enableSMSMFA?: boolean; mfaReenrolRequired?: boolean } = {},
  ): Promise<MigrationDecision> => {
    const { attributes, targetUsername, dropped } = targetAttributes(
      typed,
      user,
      await schemaPromise,
      config,
    );
    if (finalUserStatus === 'RESET_REQUIRED' && !hasVerifiedContact(attributes)) {
      await refuseForAdmin(
        table,
        sourceUsername,
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
      sourceUsername,
      targetUsername,
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
    const revocation = check.refreshToken
      ? revokeRefreshToken(source, config.source, check.refreshToken, deadline.signal)
      : undefined;
    revocation?.catch(() => undefined);
    const user = attributesFromIdToken(check.idToken, record) ?? (await readUser());
    return {
      decision: await decide(user, 'PASSWORD_VERIFIED', 'CONFIRMED'),
      ...(revocation ? { revocation } : {}),
    };
  }
  if (config.mfaPolicy === 'reject' && UNCARRIED_FACTORS.has(check.challenge)) refuse('MFA_REJECTED');
  switch (check.challenge) {
    case 'NEW_PASSWORD_REQUIRED':
      return { decision: await decide(await readUser(), 'TEMPORARY_PASSWORD', 'RESET_REQUIRED') };
    case 'MFA_SETUP':
      return { decision: await decide(await readUser(), 'MFA_NOT_SET_UP', 'CONFIRMED') };
    case 'SMS_MFA': {
      const user = await readUser();
      const schema = await schemaPromise;
      // enableSMSMFA needs MFA enabled on the target and a phone number, or the migration fails.
      const { attributes } = targetAttributes(typed, user, schema, config);
      if (schema.smsMfaAvailable && attributes.phone_number) {
        return { decision: await decide(user, 'SMS_MFA_CARRIED', 'CONFIRMED', { enableSMSMFA: true }) };
      }
      return { decision: await uncarriedFactor(user) };
    }
    default:
      if (UNCARRIED_FACTORS.has(check.challenge))
        return { decision: await uncarriedFactor(await readUser()) };
      return refuse('UNSUPPORTED_CHALLENGE', check.challenge);
  }
};

const loadSchema = (deps: LazyMigrateDeps): Promise<TargetSchema> =>
  deps.targetSchema().catch((error: unknown) => refuse('TARGET_UNAVAILABLE', (error as Error).name));
