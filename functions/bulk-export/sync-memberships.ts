import pLimit from 'p-limit';
import { ListUsersInGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { classifyCognitoError, isAwsError } from '#shared/cognito/errors';
import { listGroups } from '#shared/table/groups';
import { listCheckpoints } from '#shared/table/runs';
import { addUserGroups } from '#shared/table/users';
import { runCheckpointedLoop } from './checkpointed-loop';
import { markPhaseStarted } from '#shared/table/run-phases';
import type { BulkExportDeps, LoopResult } from './types';

export interface SyncMembershipsInput {
  runId: string;
  budgetMs: number;
}

const PAGE_SIZE = 60;
const WRITE_CONCURRENCY = 16;
export const MEMBERS_PREFIX = 'members#';
export const membersKey = (groupName: string): string => `${MEMBERS_PREFIX}${groupName}`;

/**
 * The `memberships` task: for each group of the snapshot, pages ListUsersInGroup and adds the
 * group to each member's item (a string-set ADD, so a replayed page changes nothing), one
 * checkpoint per group, until the budget is spent.
 */
export const syncMemberships = async (
  input: SyncMembershipsInput,
  deps: BulkExportDeps,
): Promise<LoopResult> => {
  const { table, clock } = deps;
  await markPhaseStarted(table, input.runId, 'memberships');
  const deadline = clock.now() + input.budgetMs;
  const done = new Set(
    (await listCheckpoints(table, input.runId, MEMBERS_PREFIX)).filter((c) => c.done).map((c) => c.key),
  );
  let counted = 0;
  let pages = 0;
  for (const { groupName } of await listGroups(table)) {
    if (done.has(membersKey(groupName))) continue;
    const remaining = deadline - clock.now();
    if (remaining <= 0 && pages > 0) return { done: false, cursor: groupName, counted, pages };
    const result = await runCheckpointedLoop({
      table,
      clock,
      runId: input.runId,
      key: membersKey(groupName),
      budgetMs: Math.max(0, remaining),
      fetch: async (cursor) => {
        try {
          const page = await deps.source.send(
            new ListUsersInGroupCommand({
              UserPoolId: deps.config.source.userPoolId,
              GroupName: groupName,
              Limit: PAGE_SIZE,
              NextToken: cursor,
            }),
          );
          return { items: page.Users ?? [], ...(page.NextToken ? { next: page.NextToken } : {}) };
        } catch (error) {
          // A group an earlier run saw may since have been deleted from the source: no members.
          if (isAwsError(error, 'ResourceNotFoundException')) {
            deps.logger.warn('group gone from source', { reason: 'group-deleted', groupName });
            return { items: [] };
          }
          throw classifyCognitoError(error, 'source', 'ListUsersInGroup');
        }
      },
      write: async (users) => {
        await pLimit(WRITE_CONCURRENCY).map(users, async (user) => {
          try {
            await addUserGroups(table, user.Username ?? '', [groupName]);
          } catch (error) {
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
            // Created in the source after its shard was listed; the next run picks it up.
            deps.logger.warn('member not in snapshot', { reason: 'member-missing', groupName });
          }
        });
        return users.length;
      },
    });
    counted += result.counted;
    pages += result.pages;
    if (!result.done) return { done: false, cursor: groupName, counted, pages };
  }
  return { done: true, counted, pages };
};
