import type { PreSignUpTriggerEvent } from 'aws-lambda';
import { MigrationError } from '#shared/errors';
import { findUsernamesByLoginKey } from '#shared/table/login-keys';
import { AWAITING_MIGRATION } from '#shared/table/status';
import { getUser } from '#shared/table/users';
import type { LazyMigrateDeps } from './deps';

/** What a person who signs up with a legacy user's email, phone or username is told. */
export const SIGN_UP_CONFLICT_MESSAGE =
  'An account with this email already exists — sign in with your existing password';

/** Shown when the guard cannot check (table unreachable): sign-up waits rather than risk a lockout. */
export const SIGN_UP_UNAVAILABLE_MESSAGE = 'Sign-up is temporarily unavailable; try again later';

/** A sign-up refused by the guard; the message is what the client sees. */
export class SignUpRefusedError extends MigrationError {}

/**
 * PreSignUp guard. Cognito calls UserMigration only for users it cannot find, so a stranger who
 * signs up in the target with a legacy user's email would lock the real user out. For
 * PreSignUp_SignUp and PreSignUp_ExternalProvider, refuse when the username, email, phone number
 * or preferred_username belongs to a source user not yet migrated. PreSignUp_AdminCreateUser
 * (the reset campaign creating legacy users on purpose) passes untouched.
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
  }).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].length > 0);
  let matchedOn: string | undefined;
  try {
    for (const [kind, value] of keys) {
      for (const username of await findUsernamesByLoginKey(deps.table, value)) {
        const record = await getUser(deps.table, username);
        if (record && AWAITING_MIGRATION.includes(record.status)) matchedOn = kind;
      }
      if (matchedOn) break;
    }
  } catch (error) {
    deps.logger.error('sign-up guard could not read the migration table', {
      reason: 'TABLE_UNAVAILABLE',
      triggerSource: event.triggerSource,
      error: (error as Error).name,
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
  });
  deps.metrics.count('SignUpRefused');
  throw new SignUpRefusedError(SIGN_UP_CONFLICT_MESSAGE);
};
