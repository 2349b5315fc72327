/** Where a source user stands in the migration. */
export const MIGRATION_STATUSES = [
  'PENDING',
  'MIGRATED',
  'FLAGGED_FOR_RESET',
  'RESET_SENT',
  'NEEDS_ADMIN',
  'SOURCE_DELETED',
] as const;

export type MigrationStatus = (typeof MIGRATION_STATUSES)[number];

/**
 * The moves a record may make. MIGRATED is final: once the user exists in the target pool,
 * nothing the migrator does may undo or re-count that.
 */
export const ALLOWED_TRANSITIONS: Record<MigrationStatus, readonly MigrationStatus[]> = {
  PENDING: ['MIGRATED', 'FLAGGED_FOR_RESET', 'NEEDS_ADMIN', 'SOURCE_DELETED'],
  FLAGGED_FOR_RESET: ['RESET_SENT', 'MIGRATED', 'NEEDS_ADMIN', 'SOURCE_DELETED'],
  RESET_SENT: ['MIGRATED'],
  NEEDS_ADMIN: ['MIGRATED', 'FLAGGED_FOR_RESET', 'RESET_SENT', 'PENDING'],
  SOURCE_DELETED: ['PENDING'],
  MIGRATED: [],
};

export const canTransition = (from: MigrationStatus, to: MigrationStatus): boolean =>
  ALLOWED_TRANSITIONS[from].includes(to);

/** How a user reached MIGRATED (or RESET_SENT). */
export type MigrationMethod = 'password' | 'forgot-password' | 'reset-campaign' | 'reconciled';

export const isMigrationStatus = (value: unknown): value is MigrationStatus =>
  typeof value === 'string' && (MIGRATION_STATUSES as readonly string[]).includes(value);
