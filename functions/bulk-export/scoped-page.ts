import pLimit from 'p-limit';
import type { UserType } from '@aws-sdk/client-cognito-identity-provider';
import { inScopeList, type MigrationScope } from '#shared/migration-scope';
import type { AppLogger } from '#shared/logger';
import type { TableContext } from '#shared/table/context';
import { SCOPE_LEAVERS } from '#shared/table/status';
import { getUser, transitionStatus } from '#shared/table/users';
import { checkShardPage, toSnapshot, writeUserPage } from './snapshot';

/** What one page of a shard came to: users written (in scope) and users left out. */
export interface ScopedPageCount {
  seen: number;
  outOfScope: number;
}

/** Reads in flight for a page's out-of-scope users. */
const READ_CONCURRENCY = 16;

/**
 * A user the table holds but who is out of scope now (their scope attribute changed in the
 * source): a user the target has not taken in becomes OUT_OF_SCOPE — not SOURCE_DELETED, since
 * the source still has them, and never flagged or reset. MIGRATED and RESET_SENT users stay as
 * they are: they exist in the target, and removing a target user is an operator's decision.
 */
const markLeaver = async (table: TableContext, user: UserType, logger: AppLogger): Promise<void> => {
  const username = user.Username ?? '';
  const record = await getUser(table, username);
  if (!record || record.status === 'OUT_OF_SCOPE') return;
  if (!SCOPE_LEAVERS.includes(record.status)) {
    if (record.status !== 'SOURCE_DELETED')
      logger.warn('user left the migration scope after reaching the target', {
        reason: 'LEFT_SCOPE_IN_TARGET',
        status: record.status,
      });
    return;
  }
  const { attributes } = toSnapshot(user);
  await transitionStatus(table, username, {
    from: SCOPE_LEAVERS,
    to: 'OUT_OF_SCOPE',
    set: { attributes },
    reason: 'LEFT_SCOPE',
  });
};

/**
 * Writes the in-scope users of a ListUsers page (ListUsers cannot filter on custom attributes, so
 * the scope applies after the page is read) and counts the rest. Out-of-scope users are never
 * written as users; one the table already holds (a user who left the scope) is marked by
 * `markLeaver`. Without a scope this is `writeUserPage`, with nothing read in addition.
 */
export const writeScopedPage = async (
  table: TableContext,
  users: readonly UserType[],
  options: { runId: string; shard: string; scope: MigrationScope | undefined; logger: AppLogger },
): Promise<ScopedPageCount> => {
  const { scope } = options;
  if (!scope) return { seen: await writeUserPage(table, users, options), outOfScope: 0 };
  const inside = users.filter((user) => inScopeList(user.Attributes, scope));
  const outside = users.filter((user) => !inScopeList(user.Attributes, scope));
  checkShardPage(outside.map(toSnapshot), options.shard);
  const seen = await writeUserPage(table, inside, options);
  await pLimit(READ_CONCURRENCY).map(outside, (user) => markLeaver(table, user, options.logger));
  return { seen, outOfScope: outside.length };
};
