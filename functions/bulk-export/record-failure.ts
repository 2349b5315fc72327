import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { readLease, releaseLease } from '#shared/table/leases';
import { finishRun, getRun } from '#shared/table/runs';
import type { BulkExportDeps } from './types';

export interface RecordFailureInput {
  /** The state the execution was in when it failed: holds `runId`, or `resumeRunId` if Start failed. */
  state: Record<string, unknown>;
  /** What the Catch caught: Step Functions' `{ Error, Cause }`. */
  error: { Error: string; Cause?: string };
}

/**
 * Start's refusals: the run they name belongs to another writer (a live or stale lease holder,
 * or a later run), so this execution records nothing on it and releases nothing.
 */
export const REFUSALS = ['LeaseHeldError', 'LeaseStaleError', 'RunSupersededError', 'RunNotFoundError'];

/** Step Functions' Cause can hold a whole Lambda error payload; the run keeps a readable prefix. */
const MAX_CAUSE_LENGTH = 4000;

/**
 * The `fail` task: records the error on the run as FAILED so `resumeRunId` can continue it.
 * When Start failed before a run existed there is nothing to record; that is not an error, so
 * the execution still fails with the original cause rather than with this task's.
 */
export const recordFailure = async (
  input: RecordFailureInput,
  deps: BulkExportDeps,
): Promise<{ recorded: boolean; runId?: string }> => {
  const runId = [input.state.runId, input.state.resumeRunId].find((v): v is string => typeof v === 'string');
  const error = { name: input.error.Error, cause: (input.error.Cause ?? '').slice(0, MAX_CAUSE_LENGTH) };
  deps.logger.error('run failed', { reason: 'run-failed', runId, error: error.name });
  if (!runId || REFUSALS.includes(error.name)) return { recorded: false };
  // The run is over for this execution: a later start or resume may take the lease at once
  // (a task of this execution still in flight loses its next renewal and stops). When this
  // execution did not hold the lease and another execution of the same run does, that one owns
  // the run's status: a stale execution failing late must not mark a resumed run FAILED.
  const execution = typeof input.state.execution === 'string' ? input.state.execution : undefined;
  const released = execution
    ? await releaseLease(deps.table, 'bulk-sync', { owner: runId, holder: execution })
    : false;
  if (!released) {
    const lease = await readLease(deps.table, 'bulk-sync');
    if (lease?.owner === runId && lease.state !== 'RELEASED') return { recorded: false, runId };
  }
  // A resume of a run that already succeeded fails at Start; that run must stay SUCCEEDED.
  if ((await getRun(deps.table, runId))?.status === 'SUCCEEDED') return { recorded: false, runId };
  try {
    await finishRun(deps.table, runId, { status: 'FAILED', error });
    return { recorded: true, runId };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return { recorded: false, runId };
    throw error;
  }
};
