import { MigrationError } from '#shared/errors';

/**
 * Why a migration attempt was refused. These codes go to the log, the metrics and the table's
 * refusal counters; the client never sees them.
 */
export type RefusalReason =
  | 'INVALID_CREDENTIALS'
  | 'USER_NOT_FOUND'
  | 'AMBIGUOUS_USER'
  | 'PASSWORD_RESET_REQUIRED'
  | 'USER_NOT_CONFIRMED'
  | 'USER_DISABLED'
  | 'PASSWORD_ATTEMPTS_EXCEEDED'
  | 'TEMPORARY_PASSWORD_EXPIRED'
  | 'TEMPORARY_PASSWORD_NO_RECOVERY'
  | 'MFA_REJECTED'
  | 'MFA_NO_RECOVERY'
  | 'UNSUPPORTED_CHALLENGE'
  | 'FEDERATED_USER'
  | 'NO_VERIFIED_CONTACT'
  | 'USER_STATUS_NOT_ELIGIBLE'
  | 'TYPED_NAME_NOT_A_SIGN_IN_ATTRIBUTE'
  | 'MISSING_REQUIRED_ATTRIBUTE'
  | 'SOURCE_THROTTLED'
  | 'SOURCE_ACCESS_DENIED'
  | 'SOURCE_NOT_FOUND'
  | 'SOURCE_CLIENT_MISCONFIGURED'
  | 'SOURCE_AUTH_FLOW_DISABLED'
  | 'SOURCE_UNAVAILABLE'
  | 'TARGET_UNAVAILABLE'
  | 'DEADLINE_EXCEEDED'
  | 'INTERNAL_ERROR';

/** Refusals caused by the migrator's environment rather than by the user; they never read as "bad password". */
export const OPERATIONAL_REASONS: ReadonlySet<RefusalReason> = new Set<RefusalReason>([
  'SOURCE_THROTTLED',
  'SOURCE_ACCESS_DENIED',
  'SOURCE_NOT_FOUND',
  'SOURCE_CLIENT_MISCONFIGURED',
  'SOURCE_AUTH_FLOW_DISABLED',
  'SOURCE_UNAVAILABLE',
  'TARGET_UNAVAILABLE',
  'DEADLINE_EXCEEDED',
  'UNSUPPORTED_CHALLENGE',
  'INTERNAL_ERROR',
]);

/**
 * The only message a refused sign-in or password reset ever shows. One text for every reason,
 * so a wrong password, an unknown user and a disabled user cannot be told apart, and an outage
 * does not claim the password was wrong.
 */
export const REFUSAL_MESSAGE = 'Unable to sign in with these details. Check them, or try again later.';

/**
 * A refused migration. Its message is always `REFUSAL_MESSAGE` (Cognito shows it to the client);
 * the reason and detail are for the log only.
 */
export class MigrationRefusedError extends MigrationError {
  constructor(
    readonly reason: RefusalReason,
    /** Operator-facing detail (an attribute name, an AWS exception name); never a secret. */
    readonly detail?: string,
  ) {
    super(REFUSAL_MESSAGE);
  }
}

export const refuse = (reason: RefusalReason, detail?: string): never => {
  throw new MigrationRefusedError(reason, detail);
};
