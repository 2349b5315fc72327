import {
  AdminAddUserToGroupCommand,
  CreateGroupCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Clock } from '../clock';
import type { MigrationConfig } from '../config';
import { InvalidInputError, MigrationError, TargetUnavailableError } from '../errors';
import { isAwsError } from './errors';
import { getGroup, mapGroupRole } from '../table/groups';
import type { AppLogger } from '../logger';
import type { TableContext } from '../table/context';

/** The user named to `applyGroupsToUser` does not exist in the target pool, so no group can be added. */
export class TargetUserNotFoundError extends MigrationError {
  override readonly name = 'TargetUserNotFoundError';
}

/** What applying groups needs: the target pool's client (rate limited by the caller), the table, config. */
export interface ApplyGroupsDeps {
  /** A client for the target pool; it should carry the UserUpdate rate limiter (applyRateLimiter). */
  cognito: CognitoIdentityProviderClient;
  table: TableContext;
  config: Pick<MigrationConfig, 'target' | 'groupRoleArnMap'>;
  logger: AppLogger;
  clock: Clock;
}

export interface ApplyGroupsOptions {
  /** Stop starting calls, and stop waiting for calls in flight, after this many ms. @default no deadline */
  deadlineMs?: number;
  /** Calls in flight at once; the rate limiter still decides how fast they go. @default 4 */
  concurrency?: number;
}

export interface ApplyGroupsResult {
  /** Groups the user is now a member of in the target pool, in input order. */
  applied: string[];
  /** Groups still to apply (deadline passed, or the call failed for a reason worth retrying later). */
  remaining: string[];
}

const TIMED_OUT = Symbol('timed-out');
/**
 * The deadline is watched in short sleeps rather than one long one, so that a finished call leaves
 * at most this much of a timer behind (no dangling multi-second timer in a test or a Lambda).
 */
const WATCH_STEP_MS = 100;

const watchDeadline = (clock: Clock, deadlineAt: number) => {
  let stopped = false;
  const expired = (async () => {
    while (!stopped && clock.now() < deadlineAt) {
      await clock.sleep(Math.min(WATCH_STEP_MS, deadlineAt - clock.now()));
    }
    return TIMED_OUT;
  })();
  return { expired, stop: () => void (stopped = true) };
};

/**
 * Creates a group the target pool lacks, from the snapshot's group item. The role ARN goes
 * through `groupRoleArnMap` (a source-account role is meaningless in the target account); an
 * unmapped role is left off with a warning. A group created concurrently by someone else is fine.
 */
const createMissingGroup = async (groupName: string, deps: ApplyGroupsDeps): Promise<void> => {
  const item = await getGroup(deps.table, groupName);
  if (!item) {
    deps.logger.warn('group missing from snapshot; creating it by name only', {
      reason: 'group-not-in-snapshot',
      group: groupName,
    });
  }
  const roleArn = mapGroupRole(item?.sourceRoleArn, deps.config.groupRoleArnMap);
  if (item?.sourceRoleArn && !roleArn) {
    deps.logger.warn('group role not mapped; group created without a role', {
      reason: 'role-unmapped',
      group: groupName,
      sourceRoleArn: item.sourceRoleArn,
    });
  }
  try {
    await deps.cognito.send(
      new CreateGroupCommand({
        UserPoolId: deps.config.target.userPoolId,
        GroupName: groupName,
        ...(item?.description ? { Description: item.description } : {}),
        ...(item?.precedence !== undefined ? { Precedence: item.precedence } : {}),
        ...(roleArn ? { RoleArn: roleArn } : {}),
      }),
    );
    deps.logger.info('group created in target pool', { reason: 'group-created', group: groupName });
  } catch (error) {
    if (isAwsError(error, 'GroupExistsException')) return;
    if (isAwsError(error, 'ResourceNotFoundException')) {
      throw new TargetUnavailableError(`Target user pool ${deps.config.target.userPoolId} does not exist`, {
        cause: error,
      });
    }
    throw error;
  }
};

type Outcome = 'applied' | 'retry-later';

const addToGroup = async (
  username: string,
  groupName: string,
  deps: ApplyGroupsDeps,
  abortSignal: AbortSignal,
): Promise<Outcome> => {
  const add = () =>
    deps.cognito.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: deps.config.target.userPoolId,
        Username: username,
        GroupName: groupName,
      }),
      { abortSignal },
    );
  try {
    // Adding a user to a group they are already in succeeds: a replay is harmless.
    await add();
    return 'applied';
  } catch (error) {
    if (isAwsError(error, 'UserNotFoundException')) {
      throw new TargetUserNotFoundError(`User is not in target pool ${deps.config.target.userPoolId}`, {
        cause: error,
      });
    }
    // AdminAddUserToGroup answers ResourceNotFoundException for a group the pool lacks.
    if (!isAwsError(error, 'ResourceNotFoundException')) return failed(groupName, error, deps);
  }
  try {
    await createMissingGroup(groupName, deps);
    await add();
    return 'applied';
  } catch (error) {
    if (error instanceof MigrationError) throw error;
    return failed(groupName, error, deps);
  }
};

const failed = (groupName: string, error: unknown, deps: ApplyGroupsDeps): Outcome => {
  // Throttling (after the SDK's retries), a timeout or a 5xx: the caller hands the group on.
  deps.logger.warn('group not applied; will retry later', {
    reason: isAwsError(error, 'TooManyRequestsException') ? 'throttled' : 'call-failed',
    group: groupName,
    error: error instanceof Error ? error.name : String(error),
  });
  return 'retry-later';
};

/**
 * Adds a user of the target pool to each of `groups` (AdminAddUserToGroup), creating a group the
 * pool lacks from the snapshot's group item first. The single implementation behind
 * PostAuthentication, its asynchronous continuation, the reconciler and the reset campaign.
 *
 * Idempotent: re-applying a group the user is in changes nothing. With `deadlineMs` it stops
 * starting calls when the deadline passes and stops waiting for the ones in flight (they are
 * aborted if still queued); everything not confirmed comes back in `remaining`. Throws
 * `TargetUserNotFoundError` when the user does not exist in the target pool, and
 * `TargetUnavailableError` when the pool does not.
 */
export const applyGroupsToUser = async (
  input: { username: string; groups: readonly string[] },
  deps: ApplyGroupsDeps,
  options: ApplyGroupsOptions = {},
): Promise<ApplyGroupsResult> => {
  if (!input.username) throw new InvalidInputError('applyGroupsToUser needs the target username');
  const groups = [...new Set(input.groups)];
  if (groups.length === 0) return { applied: [], remaining: [] };
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const deadlineAt = options.deadlineMs === undefined ? Infinity : deps.clock.now() + options.deadlineMs;
  const watch =
    deadlineAt === Infinity
      ? { expired: new Promise<typeof TIMED_OUT>(() => undefined), stop: () => undefined }
      : watchDeadline(deps.clock, deadlineAt);
  const abort = new AbortController();
  void watch.expired.then(() => abort.abort());

  const applied = new Set<string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < groups.length && deps.clock.now() < deadlineAt) {
      const group = groups[next++]!;
      const outcome = await Promise.race([
        addToGroup(input.username, group, deps, abort.signal),
        watch.expired,
      ]);
      if (outcome === TIMED_OUT) return;
      if (outcome === 'applied') applied.add(group);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, groups.length) }, worker));
  } finally {
    watch.stop();
  }
  return {
    applied: groups.filter((group) => applied.has(group)),
    remaining: groups.filter((group) => !applied.has(group)),
  };
};
