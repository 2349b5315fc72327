import pLimit from 'p-limit';
import { z } from 'zod';
import { ShardIntegrityError } from '#shared/errors';
import { finishRun, getCheckpoint, getRun, listCheckpoints } from '#shared/table/runs';
import { DELETABLE } from '#shared/table/status';
import { transitionStatus } from '#shared/table/users';
import { shardKey } from './export-users';
import { markPhaseStarted, phaseDurations, recordDurations } from '#shared/table/run-phases';
import { scanUsers } from '#shared/table/sweep';
import { GROUPS_KEY } from './sync-groups';
import { MEMBERS_PREFIX } from './sync-memberships';
import type { BulkExportDeps } from './types';

/** The sweep's progress, carried by the state machine from one Finish invocation to the next. */
export const sweepStateSchema = z.object({
  cursor: z.string().optional(),
  seen: z.number().int().min(0).default(0),
  sourceDeleted: z.number().int().min(0).default(0),
});
export type SweepState = z.infer<typeof sweepStateSchema>;

export interface FinishInput {
  runId: string;
  shards: string[];
  budgetMs: number;
  state: SweepState;
}

/** What the execution outputs when the run succeeds. */
export interface RunSummary {
  runId: string;
  users: number;
  groups: number;
  memberships: number;
  sourceDeleted: number;
  durationsSeconds: Record<string, number>;
  usersPerSecond: number;
}

export interface FinishResult extends SweepState {
  done: boolean;
  summary?: RunSummary;
}

/**
 * Counts deterministically from item state, so a replayed page (the state machine retrying with
 * the same cursor and counts) adds exactly what it added the first time.
 */
const sweepPage = async (deps: BulkExportDeps, runId: string, state: SweepState): Promise<SweepState> => {
  const page = await scanUsers(deps.table, state.cursor);
  let { seen, sourceDeleted } = state;
  await pLimit(16).map(page.users, async (user) => {
    if (user.lastRunId === runId) {
      seen += 1;
      return;
    }
    if (user.status === 'SOURCE_DELETED') {
      if (user.deletedByRunId === runId) sourceDeleted += 1;
      return;
    }
    if (!DELETABLE.includes(user.status)) return;
    const result = await transitionStatus(deps.table, user.username, {
      from: DELETABLE,
      to: 'SOURCE_DELETED',
      set: { deletedByRunId: runId },
      reason: 'source-deleted',
    });
    if (result.changed) sourceDeleted += 1;
  });
  return { ...(page.cursor ? { cursor: page.cursor } : {}), seen, sourceDeleted };
};

const verifyShards = async (deps: BulkExportDeps, input: FinishInput, seen: number): Promise<number> => {
  const checkpoints = await listCheckpoints(deps.table, input.runId, 'users#');
  const byKey = new Map(checkpoints.map((c) => [c.key, c]));
  const unfinished = input.shards.filter((shard) => !byKey.get(shardKey(shard))?.done);
  if (unfinished.length > 0) {
    throw new ShardIntegrityError(`Shards ${unfinished.join(', ')} did not finish; resume the run`);
  }
  const total = checkpoints.reduce((sum, c) => sum + c.seen, 0);
  if (total !== seen) {
    throw new ShardIntegrityError(
      total > seen
        ? `Shards counted ${total} users but only ${seen} distinct users carry this run: a user was seen twice`
        : `${seen} users carry this run but the shards counted ${total}: a page was written but not counted`,
    );
  }
  return total;
};

/**
 * The `finish` task. Sweeps the table for users the source no longer has (not seen by this run)
 * and marks them SOURCE_DELETED, for at most `budgetMs` per invocation; then checks that the
 * shards finished and their counts equal the distinct users written, and closes the run with its
 * counts and phase durations.
 */
export const finishSync = async (input: FinishInput, deps: BulkExportDeps): Promise<FinishResult> => {
  await markPhaseStarted(deps.table, input.runId, 'finish');
  const deadline = deps.clock.now() + input.budgetMs;
  let state = input.state;
  do {
    state = await sweepPage(deps, input.runId, state);
  } while (state.cursor && deps.clock.now() < deadline);
  if (state.cursor) return { done: false, ...state };

  const users = await verifyShards(deps, input, state.seen);
  const groups = (await getCheckpoint(deps.table, input.runId, GROUPS_KEY)).seen;
  const memberships = (await listCheckpoints(deps.table, input.runId, MEMBERS_PREFIX)).reduce(
    (sum, c) => sum + c.seen,
    0,
  );
  const run = await getRun(deps.table, input.runId);
  const durationsSeconds = run ? phaseDurations(run, deps.clock.now()) : {};
  const counts = { users, groups, memberships, sourceDeleted: state.sourceDeleted };
  await finishRun(deps.table, input.runId, { status: 'SUCCEEDED', counts });
  await recordDurations(deps.table, input.runId, durationsSeconds);
  const usersSeconds = durationsSeconds.users ?? 0;
  const summary: RunSummary = {
    runId: input.runId,
    ...counts,
    durationsSeconds,
    usersPerSecond: usersSeconds > 0 ? Math.round(users / usersSeconds) : 0,
  };
  deps.logger.info('run finished', { reason: 'run-succeeded', ...summary });
  return { done: true, ...state, summary };
};
