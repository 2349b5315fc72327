import { z } from 'zod';
import { exportUsers } from './export-users';
import { finishSync, sweepStateSchema } from './finish';
import { renewLease } from '#shared/table/leases';
import { parseInput } from './parse-input';
import { recordFailure } from './record-failure';
import { startRun } from './start';
import { syncGroups } from './sync-groups';
import { syncMemberships } from './sync-memberships';
import type { BulkExportDeps } from './types';

const runId = z.string().min(1).max(128);
const budgetMs = z.number().int().min(0).max(900_000);
/** The execution that holds the run's lease (`$$.Execution.Name`). */
const execution = z.string().min(1).max(128);

/** The events the bulk-sync state machine sends; `task` names the step. */
export const taskEventSchema = z.discriminatedUnion('task', [
  z.object({ task: z.literal('start'), input: z.unknown(), executionName: z.string().min(1).max(128) }),
  z.object({ task: z.literal('groups'), runId, execution, budgetMs }),
  z.object({
    task: z.literal('users'),
    runId,
    execution,
    shard: z.string().regex(/^[0-9a-f]{1,2}$/, 'a lowercase hex prefix of sub'),
    workers: z.number().int().min(1).max(40),
    budgetMs,
  }),
  z.object({ task: z.literal('memberships'), runId, execution, budgetMs }),
  z.object({
    task: z.literal('finish'),
    runId,
    execution,
    shards: z.array(z.string().regex(/^[0-9a-f]{1,2}$/)).min(1),
    budgetMs,
    state: sweepStateSchema.default({ phase: 'count', seen: 0, sourceDeleted: 0 }),
  }),
  z.object({
    task: z.literal('fail'),
    state: z.record(z.string(), z.unknown()),
    error: z.object({ Error: z.string(), Cause: z.string().optional() }),
  }),
]);

export type TaskEvent = z.input<typeof taskEventSchema>;

/** What one invocation may still spend, from Lambda's context; absent outside Lambda. */
export interface Invocation {
  getRemainingTimeInMillis(): number;
}

/**
 * Kept back from the invocation's remaining time: the last page's writes and the checkpoint
 * finish inside the Lambda timeout. A fifth of it, 1.5 s to 30 s.
 */
export const invocationMarginMs = (remainingMs: number): number =>
  Math.min(30_000, Math.max(1_500, remainingMs * 0.2));

/** The most a task may page in this invocation: its budget, capped by Lambda's remaining time. */
export const taskBudgetMs = (requestedMs: number, invocation: Invocation | undefined): number => {
  if (!invocation) return requestedMs;
  const remaining = invocation.getRemainingTimeInMillis();
  return Math.max(0, Math.min(requestedMs, remaining - invocationMarginMs(remaining)));
};

/**
 * Validates a state-machine event and runs its task. Bad input throws InvalidInputError, changing
 * nothing. Every task of a run first renews the run's lease (the heartbeat): a task of an
 * execution whose lease was taken over throws LeaseLostError and writes nothing. With Lambda's
 * context, a task pages at most until shortly before the function times out, checkpoints and
 * returns `{ done: false }`, so a long budget never ends in Sandbox.Timedout.
 */
export const runTask = async (
  event: unknown,
  deps: BulkExportDeps,
  invocation?: Invocation,
): Promise<unknown> => {
  const parsed = parseInput(taskEventSchema, event, 'bulk-export task event');
  // Finish renews its lease itself, after checking the run did not already succeed.
  if (parsed.task === 'groups' || parsed.task === 'users' || parsed.task === 'memberships') {
    await renewLease(deps.table, 'bulk-sync', { owner: parsed.runId, holder: parsed.execution });
  }
  const budget = (requestedMs: number) => taskBudgetMs(requestedMs, invocation);
  switch (parsed.task) {
    case 'start':
      return startRun(parsed, deps, invocation && { maxTaskBudgetMs: budget(Number.MAX_SAFE_INTEGER) });
    case 'groups':
      return syncGroups({ ...parsed, budgetMs: budget(parsed.budgetMs) }, deps);
    case 'users':
      return exportUsers({ ...parsed, budgetMs: budget(parsed.budgetMs) }, deps);
    case 'memberships':
      return syncMemberships({ ...parsed, budgetMs: budget(parsed.budgetMs) }, deps);
    case 'finish':
      return finishSync({ ...parsed, budgetMs: budget(parsed.budgetMs) }, deps);
    case 'fail':
      return recordFailure(parsed, deps);
  }
};
