import pLimit from 'p-limit';
import { z } from 'zod';
import { InvalidInputError, RunSupersededError, ShardIntegrityError } from '#shared/errors';
import type { MigrationConfig } from '#shared/config';
import { releaseLease, renewLease, type Lease } from '#shared/table/leases';
import { recountProgress } from '#shared/table/progress';
import {
  finishRun,
  getCheckpoint,
  getLatestRun,
  getRun,
  listCheckpoints,
  type RunRecord,
} from '#shared/table/runs';
import { DELETABLE } from '#shared/table/status';
import { transitionStatus } from '#shared/table/users';
import { shardKey } from './export-users';
import { markPhaseStarted, phaseDurations, recordDurations } from '#shared/table/run-phases';
import { scanUsers } from '#shared/table/sweep';
import { GROUPS_KEY } from './sync-groups';
import { MEMBERS_PREFIX } from './sync-memberships';
import type { BulkExportDeps } from './types';

/**
 * The sweep's progress, carried by the state machine from one Finish invocation to the next.
 * Two passes over the table: `count` (read only) counts the users this run wrote, so the
 * integrity check can run before anything changes; `sweep` then marks the users it did not see.
 */
export const sweepStateSchema = z.object({
  phase: z.enum(['count', 'sweep']).default('count'),
  cursor: z.string().optional(),
  seen: z.number().int().min(0).default(0),
  sourceDeleted: z.number().int().min(0).default(0),
});
export type SweepState = z.infer<typeof sweepStateSchema>;

export interface FinishInput {
  runId: string;
  /** The execution holding the run's lease. */
  execution: string;
  shards: string[];
  budgetMs: number;
  state: z.input<typeof sweepStateSchema>;
}

/** What the execution outputs when the run succeeds. */
export interface RunSummary {
  runId: string;
  users: number;
  groups: number;
  memberships: number;
  sourceDeleted: number;
  /** Source users read but outside the migration scope: not snapshotted (0 without a scope). */
  outOfScope: number;
  durationsSeconds: Record<string, number>;
  usersPerSecond: number;
}

export interface FinishResult extends Omit<SweepState, 'phase'> {
  phase?: SweepState['phase'];
  done: boolean;
  summary?: RunSummary;
}

/** The count pass: how many users carry this run. Reads only. */
const countPage = async (deps: BulkExportDeps, runId: string, state: SweepState): Promise<SweepState> => {
  const page = await scanUsers(deps.table, state.cursor);
  const seen = state.seen + page.users.filter((user) => user.lastRunId === runId).length;
  return { ...state, seen, ...(page.cursor ? { cursor: page.cursor } : { cursor: undefined }) };
};

/**
 * The longest one user's transition may take once started: a read and a conditional write, each
 * at most `maxAttempts` attempts of connection + request timeout, plus a second of retry back-off.
 */
export const transitionBoundMs = (config: MigrationConfig): number =>
  2 * config.sdk.maxAttempts * (config.sdk.connectionTimeoutMs + config.sdk.requestTimeoutMs) + 1000;

/**
 * The fence before each sweep page: the run still holds its lease (renewed now, so it stays
 * valid for its whole TTL) and is still the latest run. A lease can only be taken over after
 * its expiry, so writes that start before `expiry - transitionBound` end while it is still held.
 */
const fence = async (deps: BulkExportDeps, input: FinishInput): Promise<Lease> => {
  const lease = await renewLease(deps.table, 'bulk-sync', { owner: input.runId, holder: input.execution });
  const latest = await getLatestRun(deps.table);
  if (latest?.runId !== input.runId) {
    throw new RunSupersededError(
      `Run "${input.runId}" is no longer the latest (run "${latest?.runId}" started after it); it marks nothing SOURCE_DELETED`,
    );
  }
  if (lease.expiresAtMs - transitionBoundMs(deps.config) <= deps.clock.now()) {
    throw new InvalidInputError(
      `The lease (${lease.ttlMs} ms) is shorter than one sweep write may take (${transitionBoundMs(deps.config)} ms); raise leaseSeconds`,
    );
  }
  return lease;
};

/**
 * The sweep pass: marks users this run did not see SOURCE_DELETED, starting each write only while
 * the lease stays valid past the write's end. Counts deterministically from item state, so a
 * replayed page (the state machine retrying with the same cursor and counts, or a page cut short
 * by the lease) adds exactly what it added the first time; a cut page returns `undefined`.
 */
const sweepPage = async (
  deps: BulkExportDeps,
  input: FinishInput,
  state: SweepState,
  lease: Lease,
): Promise<SweepState | undefined> => {
  const { runId } = input;
  const page = await scanUsers(deps.table, state.cursor);
  const writeBefore = lease.expiresAtMs - transitionBoundMs(deps.config);
  let { sourceDeleted } = state;
  let cut = false;
  await pLimit(16).map(page.users, async (user) => {
    if (user.lastRunId === runId) return;
    if (user.status === 'SOURCE_DELETED') {
      if (user.deletedByRunId === runId) sourceDeleted += 1;
      return;
    }
    if (!DELETABLE.includes(user.status)) return;
    if (cut || deps.clock.now() >= writeBefore) {
      cut = true;
      return;
    }
    const result = await transitionStatus(deps.table, user.username, {
      from: DELETABLE,
      to: 'SOURCE_DELETED',
      set: { deletedByRunId: runId },
      reason: 'source-deleted',
    });
    if (result.changed) sourceDeleted += 1;
  });
  if (cut) return undefined;
  return { ...state, sourceDeleted, ...(page.cursor ? { cursor: page.cursor } : { cursor: undefined }) };
};

/** Users the run's shards read but left out of the migration scope. */
const outOfScopeOf = async (deps: BulkExportDeps, runId: string): Promise<number> =>
  (await listCheckpoints(deps.table, runId, 'users#')).reduce((sum, c) => sum + (c.outOfScope ?? 0), 0);

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

const succeeded = (input: FinishInput, run: RunRecord): FinishResult => {
  const counts = run.counts ?? {};
  const durations = (run as { durationsSeconds?: Record<string, number> }).durationsSeconds ?? {};
  const users = counts.users ?? 0;
  const summary: RunSummary = {
    runId: input.runId,
    users,
    groups: counts.groups ?? 0,
    memberships: counts.memberships ?? 0,
    sourceDeleted: counts.sourceDeleted ?? 0,
    outOfScope: counts.outOfScope ?? 0,
    durationsSeconds: durations,
    usersPerSecond: (durations.users ?? 0) > 0 ? Math.round(users / (durations.users ?? 1)) : 0,
  };
  return { done: true, seen: users, sourceDeleted: summary.sourceDeleted, summary };
};

/**
 * The `finish` task, for at most `budgetMs` per invocation. First it counts the users this run
 * wrote and checks that the shards finished and their counts equal that number (the integrity
 * check); only then does it sweep for users the source no longer has (not seen by this run),
 * marking them SOURCE_DELETED page by page behind the lease fence; then it closes the run with
 * its counts and phase durations and releases the lease.
 */
export const finishSync = async (input: FinishInput, deps: BulkExportDeps): Promise<FinishResult> => {
  const owner = { owner: input.runId, holder: input.execution };
  const done = await getRun(deps.table, input.runId);
  // A replay after the run closed (its answer lost on the way back) returns what it recorded.
  if (done?.status === 'SUCCEEDED' && done.counts) return succeeded(input, done);
  await renewLease(deps.table, 'bulk-sync', owner);
  await markPhaseStarted(deps.table, input.runId, 'finish');
  const deadline = deps.clock.now() + input.budgetMs;
  let state: SweepState = sweepStateSchema.parse(input.state);
  let users = 0;
  for (;;) {
    if (state.phase === 'count') {
      state = await countPage(deps, input.runId, state);
      if (!state.cursor) {
        users = await verifyShards(deps, input, state.seen);
        state = { phase: 'sweep', seen: state.seen, sourceDeleted: 0 };
      }
    } else {
      const lease = await fence(deps, input);
      const next = await sweepPage(deps, input, state, lease);
      // A page cut short by the lease is swept again from the same cursor, behind a new fence.
      if (next) {
        state = next;
        if (!state.cursor) break;
      }
    }
    if (deps.clock.now() >= deadline) return { done: false, ...state };
  }
  users ||= await verifyShards(deps, input, state.seen);

  const groups = (await getCheckpoint(deps.table, input.runId, GROUPS_KEY)).seen;
  const memberships = (await listCheckpoints(deps.table, input.runId, MEMBERS_PREFIX)).reduce(
    (sum, c) => sum + c.seen,
    0,
  );
  const run = await getRun(deps.table, input.runId);
  const durationsSeconds = run ? phaseDurations(run, deps.clock.now()) : {};
  const outOfScope = await outOfScopeOf(deps, input.runId);
  const counts = { users, groups, memberships, sourceDeleted: state.sourceDeleted, outOfScope };
  // A task that died (or timed out) between writing a page and adding its counters was retried
  // and counted nothing the second time: the counters are recounted from the status index so the
  // run ends with them exact, not a page short.
  await recountProgress(deps.table);
  await finishRun(deps.table, input.runId, { status: 'SUCCEEDED', counts });
  await recordDurations(deps.table, input.runId, durationsSeconds);
  await releaseLease(deps.table, 'bulk-sync', owner);
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
