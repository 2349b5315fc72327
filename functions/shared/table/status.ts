/** Where a source user stands in the migration. */
export const MIGRATION_STATUSES = [
  'PENDING',
  'MIGRATED',
  'FLAGGED_FOR_RESET',
  'RESET_SENT',
  'NEEDS_ADMIN',
  'SOURCE_DELETED',
  'OUT_OF_SCOPE',
] as const;

export type MigrationStatus = (typeof MIGRATION_STATUSES)[number];

/**
 * The moves a record may make. MIGRATED is final: once the user exists in the target pool,
 * nothing the migrator does may undo or re-count that.
 */
export const ALLOWED_TRANSITIONS: Record<MigrationStatus, readonly MigrationStatus[]> = {
  PENDING: ['MIGRATED', 'FLAGGED_FOR_RESET', 'NEEDS_ADMIN', 'SOURCE_DELETED', 'OUT_OF_SCOPE'],
  FLAGGED_FOR_RESET: ['RESET_SENT', 'MIGRATED', 'NEEDS_ADMIN', 'SOURCE_DELETED', 'OUT_OF_SCOPE'],
  RESET_SENT: ['MIGRATED'],
  NEEDS_ADMIN: ['MIGRATED', 'FLAGGED_FOR_RESET', 'RESET_SENT', 'PENDING', 'OUT_OF_SCOPE'],
  SOURCE_DELETED: ['PENDING'],
  // A user who left the migration scope (their scope attribute changed in the source) and may
  // come back into it: a later sync makes them PENDING again, a sign-in in scope MIGRATED.
  OUT_OF_SCOPE: ['PENDING', 'MIGRATED'],
  MIGRATED: [],
};

/**
 * Status groups: every "from" list and status test in the code names one of these, so adding a
 * status means deciding here which groups it belongs to (test/unit/shared/table/status.test.ts
 * checks each group against ALLOWED_TRANSITIONS).
 */
/** Not in the target pool yet and may still sign in there: the PreSignUp guard protects their keys. */
export const AWAITING_MIGRATION: readonly MigrationStatus[] = [
  'PENDING',
  'FLAGGED_FOR_RESET',
  'RESET_SENT',
  'NEEDS_ADMIN',
];

/**
 * Who a sign-in may record MIGRATED: those awaiting migration, and a user who left the scope and
 * is back in it at sign-in (the source's current attributes decide, not the last sync).
 */
export const MIGRATABLE: readonly MigrationStatus[] = [...AWAITING_MIGRATION, 'OUT_OF_SCOPE'];

/**
 * Who may leave the scope for OUT_OF_SCOPE: everyone the target has not taken in yet. MIGRATED and
 * RESET_SENT users stay: they exist in the target, and the migrator never removes a target user.
 */
export const SCOPE_LEAVERS: readonly MigrationStatus[] = ['PENDING', 'FLAGGED_FOR_RESET', 'NEEDS_ADMIN'];

/** Nothing has reached the user yet: no target account, no reset code. */
export const UNTOUCHED: readonly MigrationStatus[] = ['PENDING', 'FLAGGED_FOR_RESET'];

/** A user gone from the source may leave these for SOURCE_DELETED; later ones (MIGRATED...) stay. */
export const DELETABLE: readonly MigrationStatus[] = UNTOUCHED;

/** A sign-in the trigger cannot complete (e.g. no way to receive a code) may refer these to an admin. */
export const ADMIN_REFERRABLE: readonly MigrationStatus[] = UNTOUCHED;

/** Who the reconciler may flag once the window closes: never signed in, never flagged. */
export const STRAGGLERS: readonly MigrationStatus[] = ['PENDING'];

/** Who the reset campaign works on, and on condition of which it writes its markers. */
export const CAMPAIGN_ELIGIBLE: readonly MigrationStatus[] = ['FLAGGED_FOR_RESET'];

/** Users who must exist in the target pool. */
export const IN_TARGET: readonly MigrationStatus[] = ['MIGRATED', 'RESET_SENT'];

export const canTransition = (from: MigrationStatus, to: MigrationStatus): boolean =>
  ALLOWED_TRANSITIONS[from].includes(to);

/** How a user reached MIGRATED (or RESET_SENT). */
export type MigrationMethod = 'password' | 'forgot-password' | 'reset-campaign' | 'reconciled';

export const isMigrationStatus = (value: unknown): value is MigrationStatus =>
  typeof value === 'string' && (MIGRATION_STATUSES as readonly string[]).includes(value);
