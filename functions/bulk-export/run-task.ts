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

/**
 * Validates a state-machine event and runs its task. Bad input throws InvalidInputError, changing
 * nothing. Every task of a run first renews the run's lease (the heartbeat): a task of an
 * execution whose lease was taken over throws LeaseLostError and writes nothing.
 */
export const runTask = async (event: unknown, deps: BulkExportDeps): Promise<unknown> => {
  const parsed = parseInput(taskEventSchema, event, 'bulk-export task event');
  // Finish renews its lease itself, after checking the run did not already succeed.
  if (parsed.task === 'groups' || parsed.task === 'users' || parsed.task === 'memberships') {
    await renewLease(deps.table, 'bulk-sync', { owner: parsed.runId, holder: parsed.execution });
  }
  switch (parsed.task) {
    case 'start':
      return startRun(parsed, deps);
    case 'groups':
      return syncGroups(parsed, deps);
    case 'users':
      return exportUsers(parsed, deps);
    case 'memberships':
      return syncMemberships(parsed, deps);
    case 'finish':
      return finishSync(parsed, deps);
    case 'fail':
      return recordFailure(parsed, deps);
  }
};
