/**
 * Refusal reason codes, shared by the UserMigration trigger (lazy-migrate/refusal.ts throws them)
 * and the dashboard (infra alarms on the operational ones), so neither imports the other.
 */

/**
 * Why a migration attempt was refused. These codes go to the log, the metrics and the table's
 * refusal counters; the client never sees them.
 */
export type RefusalReason =
  | 'INVALID_CREDENTIALS'
  | 'USER_NOT_FOUND'
  /** A source user outside the migration scope: answered exactly as USER_NOT_FOUND is. */
  | 'OUT_OF_SCOPE'
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
