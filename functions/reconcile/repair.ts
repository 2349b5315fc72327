import {
  AdminGetUserCommand,
  DescribeUserPoolCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import pLimit from 'p-limit';
import { quotaShareFor, type MigrationConfig } from '#shared/config';
import { isAwsError } from '#shared/cognito/errors';
import {
  loadReconcileCursor,
  saveReconcileCursor,
  type ReconcileCursor,
} from '#shared/table/reconcile-cursor';
import { getProgress } from '#shared/table/progress';
import { QUOTA_DEFAULTS } from '#shared/quotas';
import { listUsersByStatus, type UserRecord } from '#shared/table/users';
import type { ReconcileDeps } from './deps';
import {
  findRecordFor,
  fromListedUser,
  isRepairable,
  isSameUser,
  repairRecord,
  toTargetUser,
  type TargetUser,
} from './target-match';

/** How the reconciler learns which PENDING users already exist in the target pool. */
export type RepairStrategy = 'admin-get-user' | 'list-users';

/** ListUsers returns at most 60 users per page. */
const LIST_PAGE = 60;

/**
 * Picks the strategy that answers in fewer seconds of quota. AdminGetUser asks once per PENDING
 * user at the UserRead rate (120/s by default); ListUsers reads the whole target pool 60 users a
 * call at the UserList rate (30/s), i.e. 15 times more users per second of quota. Early in the
 * window (many PENDING, few in the target) listing wins; late (few PENDING) asking wins.
 */
export const chooseStrategy = (
  counts: { pending: number; targetUsers: number },
  config: Pick<MigrationConfig, 'quotaShare' | 'quotaShareByCategory'>,
): { strategy: RepairStrategy; seconds: Record<RepairStrategy, number> } => {
  const readRate = QUOTA_DEFAULTS.UserRead * quotaShareFor(config, 'UserRead');
  const listRate = QUOTA_DEFAULTS.UserList * quotaShareFor(config, 'UserList');
  const seconds = {
    'admin-get-user': counts.pending / readRate,
    'list-users': Math.ceil(counts.targetUsers / LIST_PAGE) / listRate,
  };
  return {
    strategy: seconds['list-users'] < seconds['admin-get-user'] ? 'list-users' : 'admin-get-user',
    seconds,
  };
};

/** What one repair pass did. `complete` is false when it stopped on the budget or the limit. */
export interface RepairResult {
  strategy: RepairStrategy;
  examined: number;
  /** Users recorded MIGRATED by this pass (in a dry run: who would be). */
  repaired: string[];
  /** PENDING users whose username is taken in the target by someone with another legacy sub. */
  conflicts: string[];
  complete: boolean;
}

type Cursor = ReconcileCursor<RepairStrategy>;

const loadCursor = (deps: ReconcileDeps) => loadReconcileCursor<RepairStrategy>(deps.table);

const saveCursor = (deps: ReconcileDeps, cursor: Cursor | undefined) =>
  saveReconcileCursor({ ...deps.table, clock: deps.clock }, cursor);

const targetUserCount = async (deps: ReconcileDeps): Promise<number> => {
  const { UserPool } = await deps.target.send(
    new DescribeUserPoolCommand({ UserPoolId: deps.config.target.userPoolId }),
  );
  return UserPool?.EstimatedNumberOfUsers ?? 0;
};

interface PassOptions {
  dryRun: boolean;
  limit: number;
  deadline: number;
}

const getTargetUser = async (record: UserRecord, deps: ReconcileDeps): Promise<TargetUser | undefined> => {
  const schema = await deps.targetSchema();
  // An email- or phone-as-username pool knows the user by that attribute, not the source username.
  const names = [
    record.username,
    ...schema.usernameAttributes.map((attribute) => record.attributes[attribute]).filter(Boolean),
  ] as string[];
  for (const name of new Set(names)) {
    try {
      const user = await deps.target.send(
        new AdminGetUserCommand({ UserPoolId: deps.config.target.userPoolId, Username: name }),
      );
      return toTargetUser(user.Username, user.UserAttributes, user.UserStatus, user.Enabled);
    } catch (error) {
      if (!isAwsError(error, 'UserNotFoundException', 'InvalidParameterException')) throw error;
    }
  }
  return undefined;
};

const byAdminGetUser = async (
  deps: ReconcileDeps,
  start: Cursor,
  options: PassOptions,
  result: RepairResult,
) => {
  const limit = pLimit(deps.concurrency);
  let token = start.token;
  do {
    if (deps.clock.now() >= options.deadline || result.examined >= options.limit) return token;
    // Whole records: matching a target user needs the snapshot's sub and sign-in attributes.
    const page = await listUsersByStatus(deps.table, 'PENDING', {
      full: true,
      limit: Math.min(100, options.limit - result.examined),
      nextToken: token,
    });
    result.examined += page.users.length;
    await Promise.all(
      page.users.map((record) =>
        limit(async () => {
          const target = await getTargetUser(record, deps);
          if (!target) return;
          if (!isSameUser(record, target, deps, await deps.targetSchema()))
            result.conflicts.push(record.username);
          else if (options.dryRun || (await repairRecord(record, target, deps)))
            result.repaired.push(record.username);
        }),
      ),
    );
    token = page.nextToken;
  } while (token);
  return undefined;
};

const byListUsers = async (
  deps: ReconcileDeps,
  start: Cursor,
  options: PassOptions,
  result: RepairResult,
) => {
  const limit = pLimit(deps.concurrency);
  let token = start.token;
  do {
    if (deps.clock.now() >= options.deadline || result.examined >= options.limit) return token;
    const page = await deps.target.send(
      new ListUsersCommand({
        UserPoolId: deps.config.target.userPoolId,
        Limit: LIST_PAGE,
        PaginationToken: token,
      }),
    );
    const users = (page.Users ?? []).map(fromListedUser);
    result.examined += users.length;
    await Promise.all(
      users.map((target) =>
        limit(async () => {
          const record = await findRecordFor(target, deps);
          if (!record || !isRepairable(record)) return;
          if (options.dryRun || (await repairRecord(record, target, deps)))
            result.repaired.push(record.username);
        }),
      ),
    );
    token = page.PaginationToken;
  } while (token);
  return undefined;
};

/**
 * Finds users who migrated without the table knowing (a trigger that timed out after Cognito
 * created the user, a lost write) and records them MIGRATED with method `reconciled`. Only the
 * target pool is read. A pass cut short by the budget or `limit` leaves a cursor in the table,
 * and the next run continues from it with the same strategy.
 */
export const repairUnrecordedMigrations = async (
  deps: ReconcileDeps,
  options: { dryRun?: boolean; limit?: number } = {},
): Promise<RepairResult> => {
  const saved = await loadCursor(deps);
  const cursor: Cursor = saved ?? {
    strategy: chooseStrategy(
      { pending: (await getProgress(deps.table)).byStatus.PENDING, targetUsers: await targetUserCount(deps) },
      deps.config,
    ).strategy,
  };
  const result: RepairResult = {
    strategy: cursor.strategy,
    examined: 0,
    repaired: [],
    conflicts: [],
    complete: false,
  };
  const pass: PassOptions = {
    dryRun: options.dryRun ?? false,
    limit: options.limit ?? Infinity,
    deadline: deps.clock.now() + deps.budgetMs,
  };
  const run = cursor.strategy === 'list-users' ? byListUsers : byAdminGetUser;
  let next: string | undefined;
  try {
    next = await run(deps, cursor, pass, result);
  } catch (error) {
    // A saved ListUsers token can expire; start the pass over rather than stall on it forever.
    if (!saved?.token || !isAwsError(error, 'InvalidParameterException')) throw error;
    next = await run(deps, { strategy: cursor.strategy }, pass, result);
  }
  result.complete = next === undefined;
  if (!pass.dryRun)
    await saveCursor(deps, next === undefined ? undefined : { strategy: cursor.strategy, token: next });
  deps.logger.info('repair pass finished', {
    reason: result.complete ? 'complete' : 'stopped-early',
    strategy: result.strategy,
    examined: result.examined,
    repaired: result.repaired.length,
    conflicts: result.conflicts.length,
  });
  return result;
};
