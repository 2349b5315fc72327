import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { finishRun, getRun } from '#shared/table/runs';
import type { BulkExportDeps } from './types';

export interface RecordFailureInput {
  /** The state the execution was in when it failed: holds `runId`, or `resumeRunId` if Start failed. */
  state: Record<string, unknown>;
  /** What the Catch caught: Step Functions' `{ Error, Cause }`. */
  error: { Error: string; Cause?: string };
}

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
  if (!runId) return { recorded: false };
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
