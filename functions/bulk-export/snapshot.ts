import pLimit from 'p-limit';
import type { UserType } from '@aws-sdk/client-cognito-identity-provider';
import { ShardIntegrityError } from '#shared/errors';
import { putLoginKeys } from '#shared/table/login-keys';
import { addCounters } from '#shared/table/progress';
import type { TableContext } from '#shared/table/context';
import { upsertSnapshot, type SourceUserSnapshot } from '#shared/table/users';

/** UpdateItems in flight per page: a page (60 users) lands in a few round trips. */
const WRITE_CONCURRENCY = 16;

/** A ListUsers entry as the snapshot keeps it. */
export const toSnapshot = (user: UserType): SourceUserSnapshot => {
  const attributes: Record<string, string> = {};
  for (const { Name, Value } of user.Attributes ?? []) {
    if (Name !== undefined && Value !== undefined) attributes[Name] = Value;
  }
  return {
    username: user.Username ?? '',
    sub: attributes.sub ?? '',
    attributes,
    userStatus: user.UserStatus ?? 'UNKNOWN',
    enabled: user.Enabled ?? true,
    ...(user.UserCreateDate ? { createdAt: user.UserCreateDate.toISOString() } : {}),
    ...(user.UserLastModifiedDate ? { modifiedAt: user.UserLastModifiedDate.toISOString() } : {}),
  };
};

/** Every user of a shard's page has a username and a sub inside the shard's prefix. */
export const checkShardPage = (snapshots: readonly SourceUserSnapshot[], shard: string): void => {
  for (const user of snapshots) {
    if (!user.username || !user.sub) {
      throw new ShardIntegrityError(`Shard ${shard} returned a user without a username or sub`);
    }
    // The shard's filter is `sub ^= "<prefix>"`; a user outside it would be counted twice.
    if (!user.sub.toLowerCase().startsWith(shard)) {
      throw new ShardIntegrityError(
        `Shard ${shard} returned a user whose sub starts with "${user.sub.slice(0, shard.length)}"`,
      );
    }
  }
};

/**
 * Writes one page of a shard: every user's snapshot (an UpdateItem that refreshes attributes but
 * never resets a migration status), then the page's login keys (BatchWriteItem in 25s), then
 * the counters for the users that were new — once, after the writes that justify them. A
 * replayed page finds its users existing and adds nothing. A crash between the snapshot writes
 * and the counters leaves the counters short, which the reconciler's recount repairs.
 */
export const writeUserPage = async (
  table: TableContext,
  users: readonly UserType[],
  scope: { runId: string; shard: string },
): Promise<number> => {
  const snapshots = users.map(toSnapshot);
  checkShardPage(snapshots, scope.shard);
  let created = 0;
  await pLimit(WRITE_CONCURRENCY).map(snapshots, async (user) => {
    const result = await upsertSnapshot(table, user, scope);
    if (result.created) created += 1;
  });
  await putLoginKeys(table, snapshots);
  if (created > 0) await addCounters(table, { total: created, PENDING: created });
  return snapshots.length;
};
