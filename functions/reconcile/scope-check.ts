import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { isAwsError } from '#shared/cognito/errors';
import { inScope, inScopeList } from '#shared/migration-scope';
import type { CampaignMarkers } from '#shared/table/campaign-markers';
import { SCOPE_LEAVERS } from '#shared/table/status';
import { transitionStatus, type UserRecord } from '#shared/table/users';
import type { ReconcileDeps } from './deps';
import type { UserOutcome } from './report';

/**
 * Whether a user the table holds is outside the migration scope now, per the source's current
 * attributes (one AdminGetUser, UserRead), or the snapshot's when the source is retired. Without a
 * scope nobody is, and nothing is read. A user the source no longer has is not decided here.
 */
export const outOfScopeNow = async (
  record: Pick<UserRecord, 'username' | 'attributes'>,
  deps: ReconcileDeps,
): Promise<boolean> => {
  const scope = deps.config.migrationScope;
  if (!scope) return false;
  if (deps.config.source.retired) return !inScope(record.attributes, scope);
  try {
    const user = await deps.source.send(
      new AdminGetUserCommand({ UserPoolId: deps.config.source.userPoolId, Username: record.username }),
    );
    return !inScopeList(user.UserAttributes, scope);
  } catch (error) {
    if (isAwsError(error, 'UserNotFoundException')) return false;
    throw error;
  }
};

/**
 * Before the campaign creates anyone: a flagged user who left the scope since the sync is marked
 * OUT_OF_SCOPE and skipped, never created or reset. Once a campaign marker exists the user is
 * (being) created in the target and the campaign finishes what it started.
 */
export const skipIfOutOfScope = async (
  record: UserRecord & CampaignMarkers,
  deps: ReconcileDeps,
  options: { dryRun?: boolean } = {},
): Promise<UserOutcome | undefined> => {
  if (record.createRequestedAt || record.passwordSetRequestedAt || record.resetRequestedAt) return undefined;
  if (!(await outOfScopeNow(record, deps))) return undefined;
  const skipped: UserOutcome = { username: record.username, outcome: 'skipped', reason: 'OUT_OF_SCOPE' };
  if (options.dryRun) return skipped;
  const { changed, status } = await transitionStatus(deps.table, record.username, {
    from: SCOPE_LEAVERS,
    to: 'OUT_OF_SCOPE',
    reason: 'LEFT_SCOPE',
  });
  if (!changed && status !== 'OUT_OF_SCOPE') return undefined;
  deps.logger.info('flagged user left the migration scope', {
    reason: 'OUT_OF_SCOPE',
    username: record.username,
  });
  return skipped;
};
