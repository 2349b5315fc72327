import {
  DescribeUserPoolCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { sourceRegion, targetRegion } from '#shared/config';
import { ConfigError, InvalidInputError } from '#shared/errors';
import { createRun, resumeRun } from '#shared/table/runs';
import { callCognito } from '#shared/cognito/errors';
import { parseInput } from './parse-input';
import type { BulkExportDeps, RunContext } from './types';

/** The execution input of bulk-sync; every field is optional. */
export const syncInputSchema = z
  .object({
    /** Continue a failed run from its checkpoints instead of starting a new one. */
    resumeRunId: z.string().min(1).max(128).optional(),
    /** Shard tasks running at once; the quota share is divided among them. */
    maxConcurrency: z.number().int().min(1).max(40).optional(),
    /** 1 → 16 shards (`0`…`f`), 2 → 256 shards (`00`…`ff`). */
    shardPrefixLength: z.union([z.literal(1), z.literal(2)]).optional(),
    /** How long one task pages before handing back; keep it well under the Lambda timeout. */
    taskBudgetSeconds: z.number().min(0).max(600).optional(),
  })
  .strict();

export type SyncInput = z.infer<typeof syncInputSchema>;

export const DEFAULTS = { maxConcurrency: 4, shardPrefixLength: 1, taskBudgetSeconds: 120 } as const;

export interface StartEvent {
  /** The execution input, as the state machine received it. */
  input: unknown;
  /** The execution's name; a new run takes it as its id. */
  executionName: string;
}

const HEX = '0123456789abcdef'.split('');

/** Every hex prefix of the given length: disjoint, and together every possible sub. */
export const shardsOf = (prefixLength: 1 | 2): string[] =>
  prefixLength === 1 ? HEX : HEX.flatMap((a) => HEX.map((b) => `${a}${b}`));

const checkReachable = async (
  side: 'source' | 'target',
  client: CognitoIdentityProviderClient,
  userPoolId: string,
): Promise<void> => {
  await callCognito(side, 'DescribeUserPool', () =>
    client.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId })),
  );
};

const contextOf = (runId: string, settings: Required<Omit<SyncInput, 'resumeRunId'>>, resumed: boolean) => ({
  runId,
  shards: shardsOf(settings.shardPrefixLength),
  maxConcurrency: settings.maxConcurrency,
  budgetMs: Math.round(settings.taskBudgetSeconds * 1000),
  resumed,
});

/**
 * The `start` task: validates the input and the configuration, checks that both pools answer
 * DescribeUserPool, then opens a run record — or, with `resumeRunId`, reopens that run, keeping
 * its shards (its checkpoints are keyed by them).
 */
export const startRun = async (event: StartEvent, deps: BulkExportDeps): Promise<RunContext> => {
  const input = parseInput(syncInputSchema, event.input ?? {}, 'bulk-sync input');
  const { config } = deps;
  if (config.source.retired) {
    throw new ConfigError('The source pool is marked retired; a bulk sync needs it readable', [
      'source.retired',
    ]);
  }
  if (
    config.source.userPoolId === config.target.userPoolId &&
    sourceRegion(config) === targetRegion(config)
  ) {
    throw new ConfigError('Source and target are the same user pool; configure two different pools', [
      'target.userPoolId',
    ]);
  }
  await Promise.all([
    checkReachable('source', deps.source, config.source.userPoolId),
    checkReachable('target', deps.target, config.target.userPoolId),
  ]);

  if (input.resumeRunId) {
    const run = await resumeRun(deps.table, input.resumeRunId);
    const stored = syncInputSchema.parse(run.input);
    const settings = {
      maxConcurrency: input.maxConcurrency ?? stored.maxConcurrency ?? DEFAULTS.maxConcurrency,
      shardPrefixLength: stored.shardPrefixLength ?? DEFAULTS.shardPrefixLength,
      taskBudgetSeconds: input.taskBudgetSeconds ?? stored.taskBudgetSeconds ?? DEFAULTS.taskBudgetSeconds,
    };
    deps.logger.info('run resumed', { reason: 'resume', runId: run.runId });
    return contextOf(run.runId, settings, true);
  }

  const settings = {
    maxConcurrency: input.maxConcurrency ?? DEFAULTS.maxConcurrency,
    shardPrefixLength: input.shardPrefixLength ?? DEFAULTS.shardPrefixLength,
    taskBudgetSeconds: input.taskBudgetSeconds ?? DEFAULTS.taskBudgetSeconds,
  };
  const runId = event.executionName;
  try {
    await createRun(deps.table, runId, settings);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      throw new InvalidInputError(
        `Run "${runId}" already exists; pass {"resumeRunId": "${runId}"} to resume it`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
  deps.logger.info('run started', { reason: 'new-run', runId });
  return contextOf(runId, settings, false);
};
