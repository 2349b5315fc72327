import pLimit from 'p-limit';
import {
  CreateGroupCommand,
  GroupExistsException,
  ListGroupsCommand,
  UpdateGroupCommand,
  type GroupType,
} from '@aws-sdk/client-cognito-identity-provider';
import { mapGroupRole, putGroup, type GroupRecord } from '#shared/table/groups';
import { runCheckpointedLoop } from './checkpointed-loop';
import { callCognito, classifyCognitoError } from '#shared/cognito/errors';
import { markPhaseStarted } from '#shared/table/run-phases';
import type { BulkExportDeps, LoopResult } from './types';

export interface SyncGroupsInput {
  runId: string;
  budgetMs: number;
}

/** ListGroups' largest page. */
const PAGE_SIZE = 60;
/** CreateGroup is metered at UserPoolResourceUpdate (15/s); a few in flight keep its share busy. */
const CREATE_CONCURRENCY = 4;
export const GROUPS_KEY = 'groups';

const toRecord = (group: GroupType): GroupRecord => ({
  groupName: group.GroupName ?? '',
  ...(group.Description !== undefined ? { description: group.Description } : {}),
  ...(group.Precedence !== undefined ? { precedence: group.Precedence } : {}),
  ...(group.RoleArn !== undefined ? { sourceRoleArn: group.RoleArn } : {}),
});

/**
 * Creates the group in the target pool, or updates it when it exists. UpdateGroup resets every
 * field it is not given to its default, so all of them are always sent. A source role ARN names
 * a role in the source account that does not exist in the target: it is used only through
 * `groupRoleArnMap`.
 */
const ensureTargetGroup = async (group: GroupRecord, deps: BulkExportDeps): Promise<void> => {
  const roleArn = mapGroupRole(group.sourceRoleArn, deps.config.groupRoleArnMap);
  if (group.sourceRoleArn && !roleArn) {
    deps.logger.warn('group role not mapped', { reason: 'role-not-mapped', groupName: group.groupName });
  }
  const fields = {
    UserPoolId: deps.config.target.userPoolId,
    GroupName: group.groupName,
    Description: group.description,
    Precedence: group.precedence,
    RoleArn: roleArn,
  };
  try {
    await deps.target.send(new CreateGroupCommand(fields));
  } catch (error) {
    if (!(error instanceof GroupExistsException)) throw classifyCognitoError(error, 'target', 'CreateGroup');
    await callCognito('target', 'UpdateGroup', () => deps.target.send(new UpdateGroupCommand(fields)));
  }
};

/**
 * The `groups` task: pages ListGroups of the source into the table and creates (or updates)
 * each group in the target, checkpointed like the user shards.
 */
export const syncGroups = async (input: SyncGroupsInput, deps: BulkExportDeps): Promise<LoopResult> => {
  await markPhaseStarted(deps.table, input.runId, 'groups');
  return runCheckpointedLoop({
    table: deps.table,
    clock: deps.clock,
    runId: input.runId,
    key: GROUPS_KEY,
    budgetMs: input.budgetMs,
    fetch: async (cursor) => {
      const page = await callCognito('source', 'ListGroups', () =>
        deps.source.send(
          new ListGroupsCommand({
            UserPoolId: deps.config.source.userPoolId,
            Limit: PAGE_SIZE,
            NextToken: cursor,
          }),
        ),
      );
      return { items: page.Groups ?? [], ...(page.NextToken ? { next: page.NextToken } : {}) };
    },
    write: async (groups) => {
      await pLimit(CREATE_CONCURRENCY).map(groups.map(toRecord), async (group) => {
        await putGroup(deps.table, group);
        await ensureTargetGroup(group, deps);
      });
      return groups.length;
    },
  });
};
