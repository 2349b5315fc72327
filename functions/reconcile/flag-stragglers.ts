import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import pLimit from 'p-limit';
import { isAwsError } from '#shared/cognito/errors';
import { inScopeList } from '#shared/migration-scope';
import { STRAGGLERS } from '#shared/table/status';
import {
  listUsersByStatus,
  transitionStatus,
  type StatusEntry,
  type TransitionRequest,
} from '#shared/table/users';
import type { ReconcileDeps } from './deps';

/** What flagging did (in a dry run: would do). */
export interface FlagResult {
  flagged: string[];
  /** Users gone from the source pool since the snapshot: SOURCE_DELETED, never reset. */
  sourceDeleted: string[];
  /** Users who left the migration scope since the snapshot: OUT_OF_SCOPE, never reset. */
  outOfScope: string[];
  complete: boolean;
}

type SourceState = { exists: false } | { exists: true; enabled: boolean; inScope: boolean };

/**
 * Asks the source pool whether the user still exists and is enabled (AdminGetUser, UserRead in
 * the source account). A retired source is not asked: the snapshot is then the truth.
 */
const sourceState = async (record: StatusEntry, deps: ReconcileDeps): Promise<SourceState> => {
  // The snapshot held only in-scope users; a retired source cannot say who left the scope since.
  if (deps.config.source.retired) return { exists: true, enabled: record.enabled, inScope: true };
  try {
    const user = await deps.source.send(
      new AdminGetUserCommand({ UserPoolId: deps.config.source.userPoolId, Username: record.username }),
    );
    return {
      exists: true,
      enabled: user.Enabled !== false,
      inScope: inScopeList(user.UserAttributes, deps.config.migrationScope),
    };
  } catch (error) {
    if (isAwsError(error, 'UserNotFoundException')) return { exists: false };
    throw error;
  }
};

/**
 * After the migration window: every user still PENDING becomes FLAGGED_FOR_RESET (the status
 * index then lists them for the campaign) — or SOURCE_DELETED when the source no longer has them,
 * OUT_OF_SCOPE when the source says they left the migration scope. Each move is a conditional
 * write from PENDING, so a user who signs in meanwhile stays MIGRATED and a second run changes
 * nothing.
 */
export const flagStragglers = async (
  deps: ReconcileDeps,
  options: { dryRun?: boolean; limit?: number } = {},
): Promise<FlagResult> => {
  const result: FlagResult = { flagged: [], sourceDeleted: [], outOfScope: [], complete: false };
  const limit = pLimit(deps.concurrency);
  const max = options.limit ?? Infinity;
  const deadline = deps.clock.now() + deps.budgetMs;
  const flaggedAt = new Date(deps.clock.now()).toISOString();
  let seen = 0;
  let token: string | undefined;
  do {
    if (seen >= max || deps.clock.now() >= deadline) return result;
    const page = await listUsersByStatus(deps.table, 'PENDING', {
      limit: Math.min(100, max - seen),
      nextToken: token,
    });
    seen += page.users.length;
    await Promise.all(
      page.users.map((record) =>
        limit(async () => {
          const state = await sourceState(record, deps);
          const leftScope = state.exists && !state.inScope;
          const list = leftScope ? result.outOfScope : state.exists ? result.flagged : result.sourceDeleted;
          if (options.dryRun) {
            list.push(record.username);
            return;
          }
          const move: Omit<TransitionRequest, 'from'> = leftScope
            ? { to: 'OUT_OF_SCOPE', reason: 'LEFT_SCOPE' }
            : state.exists
              ? // A user disabled in the source since the snapshot must be created disabled.
                { to: 'FLAGGED_FOR_RESET', set: { flaggedAt, enabled: state.enabled } }
              : { to: 'SOURCE_DELETED', reason: 'NOT_IN_SOURCE_AT_WINDOW_END' };
          const { changed } = await transitionStatus(deps.table, record.username, {
            from: STRAGGLERS,
            ...move,
          });
          if (changed) list.push(record.username);
        }),
      ),
    );
    token = page.nextToken;
  } while (token);
  result.complete = true;
  deps.logger.info('stragglers flagged', {
    reason: 'window-ended',
    flagged: result.flagged.length,
    sourceDeleted: result.sourceDeleted.length,
    outOfScope: result.outOfScope.length,
  });
  return result;
};
