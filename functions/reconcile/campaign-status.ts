import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { isAwsError } from '#shared/cognito/errors';
import { CAMPAIGN_ELIGIBLE } from '#shared/table/status';
import { publishIfDue } from '#shared/migration-events';
import { getUser, transitionStatus } from '#shared/table/users';
import type { ReconcileDeps } from './deps';
import type { UserOutcome } from './report';
import { toTargetUser, type TargetUser } from './target-match';

/** Where a user stands after someone else changed the record under us. */
export const settle = async (deps: ReconcileDeps, username: string): Promise<UserOutcome> => {
  const status = (await getUser(deps.table, username))?.status;
  if (status === 'MIGRATED') return { username, outcome: 'migrated', reason: 'SIGNED_IN' };
  return {
    username,
    outcome: 'skipped',
    reason: status === 'FLAGGED_FOR_RESET' ? 'IN_PROGRESS_ELSEWHERE' : `ALREADY_${status}`,
  };
};

/** Hands a flagged user to an administrator with a reason code; settles when the record moved on. */
export const needsAdmin = async (
  deps: ReconcileDeps,
  username: string,
  reason: string,
): Promise<UserOutcome> => {
  const { changed } = await transitionStatus(deps.table, username, {
    from: CAMPAIGN_ELIGIBLE,
    to: 'NEEDS_ADMIN',
    reason,
  });
  if (!changed) return settle(deps, username);
  deps.logger.warn('user needs an administrator', { reason, username });
  return { username, outcome: 'needs-admin', reason };
};

/** The target pool's user, or undefined when there is none. */
export const getTarget = async (deps: ReconcileDeps, username: string): Promise<TargetUser | undefined> => {
  try {
    const user = await deps.target.send(
      new AdminGetUserCommand({ UserPoolId: deps.config.target.userPoolId, Username: username }),
    );
    return toTargetUser(user.Username, user.UserAttributes, user.UserStatus, user.Enabled);
  } catch (error) {
    if (isAwsError(error, 'UserNotFoundException')) return undefined;
    throw error;
  }
};

/**
 * Records that the reset code went out: RESET_SENT, unless the record moved on meanwhile. The user
 * now stands in the target pool: `migratedAt` is set, and the write owes the user's UserMigrated
 * event, published here when the target sub is known (from AdminCreateUser or AdminGetUser).
 */
export const markResetSent = async (
  deps: ReconcileDeps,
  username: string,
  targetUsername: string,
  reason?: string,
  targetSub?: string,
): Promise<UserOutcome> => {
  const now = new Date(deps.clock.now()).toISOString();
  const current = targetSub ? await getUser(deps.table, username) : undefined;
  const { changed, record } = await transitionStatus(deps.table, username, {
    from: CAMPAIGN_ELIGIBLE,
    to: 'RESET_SENT',
    set: {
      method: 'reset-campaign',
      targetUsername,
      resetSentAt: now,
      migratedAt: now,
      // The first binding stands (AdminCreateUser's answer, recorded right after the create).
      ...(targetSub && !current?.targetSub ? { targetSub } : {}),
    },
  });
  if (!changed) return settle(deps, username);
  await publishIfDue(record, deps);
  return { username, outcome: 'reset-sent', ...(reason ? { reason } : {}) };
};
