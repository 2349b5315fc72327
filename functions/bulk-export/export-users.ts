import { ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { runCheckpointedLoop } from './checkpointed-loop';
import { callCognito } from '#shared/cognito/errors';
import { markPhaseStarted } from '#shared/table/run-phases';
import { writeScopedPage } from './scoped-page';
import type { BulkExportDeps, LoopResult } from './types';

export interface ExportUsersInput {
  runId: string;
  /** A hex prefix of `sub`. */
  shard: string;
  /** How many shard tasks run at once (the Map's MaxConcurrency); each gets 1/workers of the quota share. */
  workers: number;
  budgetMs: number;
}

/** ListUsers' largest page. */
const PAGE_SIZE = 60;

/** The checkpoint key of a shard. */
export const shardKey = (shard: string): string => `users#${shard}`;

/**
 * The `users` task: pages one shard of the source pool (`sub ^= "<shard>"`) into the table for
 * at most `budgetMs`, from the shard's checkpoint. ListUsers cannot be paginated in parallel,
 * but the prefix filter splits the pool into disjoint listings that can.
 */
export const exportUsers = async (input: ExportUsersInput, deps: BulkExportDeps): Promise<LoopResult> => {
  const { userPoolId } = deps.config.source;
  await markPhaseStarted(deps.table, input.runId, 'users');
  const { client: source, release } = deps.acquireShardSource(input.workers);
  const result = await runCheckpointedLoop({
    table: deps.table,
    clock: deps.clock,
    runId: input.runId,
    key: shardKey(input.shard),
    budgetMs: input.budgetMs,
    fetch: async (cursor) => {
      const page = await callCognito('source', 'ListUsers', () =>
        source.send(
          new ListUsersCommand({
            UserPoolId: userPoolId,
            Filter: `sub ^= "${input.shard}"`,
            Limit: PAGE_SIZE,
            PaginationToken: cursor,
          }),
        ),
      );
      return { items: page.Users ?? [], ...(page.PaginationToken ? { next: page.PaginationToken } : {}) };
    },
    write: (users) =>
      writeScopedPage(deps.table, users, {
        runId: input.runId,
        shard: input.shard,
        scope: deps.config.migrationScope,
        logger: deps.logger,
      }),
  }).finally(release);
  deps.countExported?.(result.counted);
  deps.logger.info('shard exported', {
    reason: result.done ? 'shard-done' : 'budget-spent',
    runId: input.runId,
    shard: input.shard,
    counted: result.counted,
    ...(result.outOfScope ? { outOfScope: result.outOfScope } : {}),
    pages: result.pages,
  });
  return result;
};
