import type { PreSignUpTriggerEvent } from 'aws-lambda';
import { MigrationError } from '#shared/errors';
import { findUsernamesByLoginKey } from '#shared/table/login-keys';
import { inScope } from '#shared/migration-scope';
import { AWAITING_MIGRATION } from '#shared/table/status';
import { getUser } from '#shared/table/users';
import type { LazyMigrateDeps } from './deps';
import { MigrationRefusedError } from './refusal';
import { findSourceUsernameByAlias } from './source-lookup';
import { getSourceUser } from './source-user';

/** What a person who signs up with a legacy user's email, phone or username is told. */
export const SIGN_UP_CONFLICT_MESSAGE =
  'An account with this email already exists — sign in with your existing password';

/** Shown when the guard cannot check (table unreachable): sign-up waits rather than risk a lockout. */
export const SIGN_UP_UNAVAILABLE_MESSAGE = 'Sign-up is temporarily unavailable; try again later';

/** A sign-up refused by the guard; the message is what the client sees. */
export class SignUpRefusedError extends MigrationError {
  override readonly name = 'SignUpRefusedError';
}

type KeyKind = 'username' | 'email' | 'phone_number' | 'preferred_username';

/**
 * Whether a source user the snapshot does not know holds this sign-in key now (created or changed
 * after the sync). Usernames and preferred usernames: AdminGetUser (UserRead), as typed and
 * lowercased (a case-insensitive target folds case; a case-sensitive source may not). Emails and
 * phone numbers: ListUsers with an `=` filter (UserList), verified holders only. Every call goes
 * through the source client's rate limiter and the trigger's deadline; a failure throws.
 */
const heldInSource = async (
  kind: KeyKind,
  value: string,
  deps: LazyMigrateDeps,
  signal: AbortSignal,
): Promise<boolean> => {
  const poolId = deps.config.source.userPoolId;
  const scope = deps.config.migrationScope;
  if (kind === 'email' || kind === 'phone_number') {
    return (await findSourceUsernameByAlias(deps.source, poolId, kind, value, signal, scope)) !== undefined;
  }
  for (const name of new Set([value, value.toLowerCase()])) {
    try {
      // A source user outside the migration scope is another target's (or nobody's): not ours to guard.
      if (inScope((await getSourceUser(deps.source, poolId, name, signal)).attributes, scope)) return true;
    } catch (error) {
      if (!(error instanceof MigrationRefusedError && error.reason === 'USER_NOT_FOUND')) throw error;
    }
  }
  return false;
};

/**
 * PreSignUp guard. Cognito calls UserMigration only for users it cannot find, so a stranger who
 * signs up in the target with a legacy user's email would lock the real user out. For
 * PreSignUp_SignUp and PreSignUp_ExternalProvider, refuse when the username, email, phone number
 * or preferred_username belongs to a source user not yet migrated: per the snapshot, or — for a
 * value the snapshot does not know (a user created or changed after the sync) — per the source
 * itself, within the trigger's deadline. Fails closed: when either cannot be asked, sign-up waits.
 * A source user outside the migration scope blocks nothing: the snapshot never holds them (or holds
 * them OUT_OF_SCOPE), and the source's holder counts only when in scope.
 * PreSignUp_AdminCreateUser (the reset campaign creating legacy users on purpose) passes untouched.
 */
export const guardSignUp = async (
  event: PreSignUpTriggerEvent,
  deps: LazyMigrateDeps,
): Promise<PreSignUpTriggerEvent> => {
  if (event.triggerSource === 'PreSignUp_AdminCreateUser') return event;
  const attributes = event.request.userAttributes ?? {};
  const keys = Object.entries({
    username: event.userName,
    email: attributes.email,
    phone_number: attributes.phone_number,
    preferred_username: attributes.preferred_username,
  }).filter((entry): entry is [KeyKind, string] => typeof entry[1] === 'string' && entry[1].length > 0);
  const deadline = deps.startDeadline(deps.config.triggerDeadlineMs);
  let matchedOn: string | undefined;
  let askedSource = false;
  try {
    const unknown: [KeyKind, string][] = [];
    for (const [kind, value] of keys) {
      const usernames = await findUsernamesByLoginKey(deps.table, value);
      if (usernames.length === 0) unknown.push([kind, value]);
      for (const username of usernames) {
        const record = await getUser(deps.table, username);
        if (record && AWAITING_MIGRATION.includes(record.status)) matchedOn = kind;
      }
      if (matchedOn) break;
    }
    if (!matchedOn && unknown.length > 0 && !deps.config.source.retired) {
      askedSource = true;
      const held = await Promise.all(
        unknown.map(([kind, value]) => heldInSource(kind, value, deps, deadline.signal)),
      );
      matchedOn = unknown.find((_, i) => held[i])?.[0];
    }
  } catch (error) {
    deps.logger.error('sign-up guard could not check the legacy users', {
      reason: askedSource ? 'SOURCE_UNAVAILABLE' : 'TABLE_UNAVAILABLE',
      triggerSource: event.triggerSource,
      error: error instanceof MigrationRefusedError ? error.reason : (error as Error).name,
    });
    deps.metrics.count('SignUpGuardUnavailable');
    throw new SignUpRefusedError(SIGN_UP_UNAVAILABLE_MESSAGE);
  }
  if (!matchedOn) {
    deps.logger.info('sign-up allowed', { reason: 'NO_LEGACY_USER', triggerSource: event.triggerSource });
    return event;
  }
  deps.logger.info('sign-up refused', {
    reason: 'LEGACY_USER_NOT_MIGRATED',
    triggerSource: event.triggerSource,
    matchedOn,
    ...(askedSource ? { resolvedBy: 'source' } : {}),
  });
  deps.metrics.count('SignUpRefused');
  throw new SignUpRefusedError(SIGN_UP_CONFLICT_MESSAGE);
};
