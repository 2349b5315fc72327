/**
 * Base class of every error this project throws on purpose. Every subclass writes its `name` as
 * a literal: the bundles are minified, so a name taken from the class (`new.target.name`) would
 * reach Step Functions as `av`, and `Retry`/`Catch` (`ErrorEquals: ["SourceThrottledError"]`)
 * would never match.
 */
export class MigrationError extends Error {
  override name = 'MigrationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A configuration value is missing or invalid; `issues` lists every bad field, `hint` (when the
 * message does not say it) what to do.
 */
export class ConfigError extends MigrationError {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    readonly issues: readonly string[] = [],
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Input to a task, trigger or command does not have the documented shape. */
export class InvalidInputError extends MigrationError {
  override readonly name = 'InvalidInputError';
}

/** The source pool answered TooManyRequestsException; retry later. */
export class SourceThrottledError extends MigrationError {
  override readonly name = 'SourceThrottledError';
}

/** The target pool answered TooManyRequestsException; retry later. */
export class TargetThrottledError extends MigrationError {
  override readonly name = 'TargetThrottledError';
}

/** The source pool cannot be reached or refused access (AccessDenied, ResourceNotFound, network). */
export class SourceUnavailableError extends MigrationError {
  override readonly name = 'SourceUnavailableError';
}

/** The target pool cannot be reached or refused access. */
export class TargetUnavailableError extends MigrationError {
  override readonly name = 'TargetUnavailableError';
}

/** A login name matches more than one source user; migrating either could hand over the wrong account. */
export class AmbiguousUserError extends MigrationError {
  override readonly name = 'AmbiguousUserError';
}

/** An internal deadline (e.g. the trigger's share of Cognito's 5 s) passed before the work finished. */
export class DeadlineExceededError extends MigrationError {
  override readonly name = 'DeadlineExceededError';
}

/** Code asked for a status change the migration model forbids (e.g. MIGRATED back to PENDING). */
export class InvalidTransitionError extends MigrationError {
  override readonly name = 'InvalidTransitionError';
  constructor(from: readonly string[], to: string) {
    super(`A record cannot move from ${from.join(' or ')} to ${to}; see ALLOWED_TRANSITIONS`);
  }
}

/** A migration table read or write failed for a reason other than a lost condition. */
export class TableUnavailableError extends MigrationError {
  override readonly name = 'TableUnavailableError';
}

/** A bulk-sync run record is missing, or a resume does not match it. */
export class RunNotFoundError extends MigrationError {
  override readonly name = 'RunNotFoundError';
}

/** A bulk-sync run found that its shards do not add up (a user in two shards, or a count mismatch). */
export class ShardIntegrityError extends MigrationError {
  override readonly name = 'ShardIntegrityError';
}

/** The target pool lacks something the migration needs (an attribute, a group, a setting). */
export class TargetSchemaError extends MigrationError {
  override readonly name = 'TargetSchemaError';
}

/** What a lease error says about the lease it met (who holds it, until when). */
export interface LeaseHolder {
  kind: string;
  owner: string;
  holder: string;
  heartbeatAt: string;
  expiresAt: string;
}

const describeHolder = (lease: LeaseHolder) =>
  `"${lease.owner}" (${lease.holder}, last heartbeat ${lease.heartbeatAt}, lease until ${lease.expiresAt})`;

/** Another writer holds a live lease of this kind (a second bulk sync or campaign was refused). */
export class LeaseHeldError extends MigrationError {
  override readonly name = 'LeaseHeldError';
  constructor(
    readonly lease: LeaseHolder,
    message = `A ${lease.kind} is already running: ${describeHolder(lease)}; wait for it to end`,
  ) {
    super(message);
  }
}

/**
 * A lease's holder stopped renewing it (its expiry passed). It is never taken silently: only an
 * explicit takeover (`--take-over`, `takeOver: true`) may take it, because the holder might be
 * slow rather than dead.
 */
export class LeaseStaleError extends MigrationError {
  override readonly name = 'LeaseStaleError';
  constructor(readonly lease: LeaseHolder) {
    super(
      `The ${lease.kind} lease of ${describeHolder(lease)} is STALE: its holder stopped renewing it; make sure it is gone, then take it over explicitly (--take-over)`,
    );
  }
}

/** The writer no longer holds its lease (released, taken over, or never held): it must stop writing. */
export class LeaseLostError extends MigrationError {
  override readonly name = 'LeaseLostError';
}

/** A bulk-sync run was superseded by a later run: resuming or sweeping it would undo that run's work. */
export class RunSupersededError extends MigrationError {
  override readonly name = 'RunSupersededError';
}
