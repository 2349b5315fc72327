import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RunNotFoundError } from '../errors';
import { runKey, type TableContext } from './context';
import { conditionalWrite } from './errors';
import type { RunRecord } from './runs';

/** The phases of a bulk-sync run, in order. */
export const PHASES = ['groups', 'users', 'memberships', 'finish'] as const;
export type Phase = (typeof PHASES)[number];

const attributeOf = (phase: Phase) => `${phase}StartedAt`;

/**
 * Records when a phase first started on the run record (later invocations and resumes keep the
 * first time), so Finish can report how long each phase took. Fails with RunNotFoundError when
 * the run record is missing: every task must belong to an opened run.
 */
export const markPhaseStarted = async (table: TableContext, runId: string, phase: Phase): Promise<void> => {
  const marked = await conditionalWrite(() =>
    table.doc.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: runKey(runId),
        UpdateExpression: 'SET #at = if_not_exists(#at, :now)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#at': attributeOf(phase) },
        ExpressionAttributeValues: { ':now': new Date(table.clock.now()).toISOString() },
      }),
    ),
  );
  if (!marked)
    throw new RunNotFoundError(`Run "${runId}" does not exist; start the sync with the Start task`);
};

/** Seconds each phase took, from the phase start marks on the run record up to `finishedAtMs`. */
export const phaseDurations = (run: RunRecord, finishedAtMs: number): Record<string, number> => {
  const marks = run as unknown as Record<string, unknown>;
  const starts = PHASES.map((phase) => {
    const value = marks[attributeOf(phase)];
    return typeof value === 'string' ? Date.parse(value) : undefined;
  });
  const durations: Record<string, number> = {};
  PHASES.forEach((phase, i) => {
    const start = starts[i];
    if (start === undefined) return;
    const end = starts.slice(i + 1).find((s) => s !== undefined) ?? finishedAtMs;
    durations[phase] = Math.max(0, (end - start) / 1000);
  });
  durations.total = Math.max(0, (finishedAtMs - Date.parse(run.startedAt)) / 1000);
  return durations;
};

/** Stores the phase durations on the run record (beside the counts `finishRun` wrote). */
export const recordDurations = async (
  table: TableContext,
  runId: string,
  durationsSeconds: Record<string, number>,
): Promise<void> => {
  await table.doc.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: runKey(runId),
      UpdateExpression: 'SET durationsSeconds = :d',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':d': durationsSeconds },
    }),
  );
};
