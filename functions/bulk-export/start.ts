import {
  DescribeUserPoolCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { sourceRegion, targetRegion } from '#shared/config';
import { ConfigError, InvalidInputError, RunNotFoundError, RunSupersededError } from '#shared/errors';
import { acquireLease, releaseLease, type LeaseOwner } from '#shared/table/leases';
import { recountProgress } from '#shared/table/progress';
import { createRun, finishRun, getLatestRun, getRun, resumeRun } from '#shared/table/runs';
import { callCognito } from '#shared/cognito/errors';
import { parseInput } from './parse-input';
import type { BulkExportDeps, RunContext } from './types';

/** Shard tasks at once: the state machine's Map MaxConcurrency and the CLI's `--concurrency` bound. */
export const MAX_CONCURRENCY = 40;

/** The execution input of bulk-sync; every field is optional. */
export const syncInputSchema = z
  .object({
    /** Continue a failed run from its checkpoints instead of starting a new one. */
    resumeRunId: z.string().min(1).max(128).optional(),
    /** Shard tasks running at once; the quota share is divided among them. */
    maxConcurrency: z.number().int().min(1).max(MAX_CONCURRENCY).optional(),
    /** 1 → 16 shards (`0`…`f`), 2 → 256 shards (`00`…`ff`). */
    shardPrefixLength: z.union([z.literal(1), z.literal(2)]).optional(),
    /** How long one task pages before handing back; keep it well under the Lambda timeout. */
    taskBudgetSeconds: z.number().min(0).max(600).optional(),
    /**
     * How long the run's lease lasts without a heartbeat (every task renews it). It must exceed
     * the longest gap between two tasks: one task (at most its budget plus a page) and one retry
     * back-off (at most 60 s). After it, `sync status` shows the run STALE.
     */
    leaseSeconds: z.number().int().min(1).max(3600).optional(),
    /** Take over the bulk-sync lease if (and only if) its holder stopped renewing it. */
    takeOver: z.boolean().optional(),
  })
  .strict();

export type SyncInput = z.infer<typeof syncInputSchema>;

export const DEFAULTS = {
  maxConcurrency: 4,
  shardPrefixLength: 1,
  taskBudgetSeconds: 120,
  leaseSeconds: 900,
} as const;

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

type Settings = Required<Omit<SyncInput, 'resumeRunId' | 'takeOver'>>;

const contextOf = (runId: string, execution: string, settings: Settings, resumed: boolean): RunContext => ({
  runId,
  execution,
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
export const startRun = async (
  event: StartEvent,
  deps: BulkExportDeps,
  limits: { maxTaskBudgetMs: number } | undefined = undefined,
): Promise<RunContext> => {
  const input = parseInput(syncInputSchema, event.input ?? {}, 'bulk-sync input');
  const { config } = deps;
  if (
    limits &&
    input.taskBudgetSeconds !== undefined &&
    input.taskBudgetSeconds * 1000 > limits.maxTaskBudgetMs
  ) {
    // Each task would be cut to the Lambda's remaining time anyway; say so rather than run with
    // a budget the function timeout cannot hold.
    throw new InvalidInputError(
      `taskBudgetSeconds ${input.taskBudgetSeconds} is more than one bulk-export invocation can page ` +
        `(${Math.floor(limits.maxTaskBudgetMs / 1000)} s within its Lambda timeout); lower it or raise the function timeout`,
    );
  }
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

  const holder = event.executionName;
  if (input.resumeRunId) {
    const run = await getRun(deps.table, input.resumeRunId);
    if (!run)
      throw new RunNotFoundError(`Run "${input.resumeRunId}" does not exist; start a new run instead`);
    const stored = syncInputSchema.parse(run.input);
    const settings: Settings = {
      maxConcurrency: input.maxConcurrency ?? stored.maxConcurrency ?? DEFAULTS.maxConcurrency,
      shardPrefixLength: stored.shardPrefixLength ?? DEFAULTS.shardPrefixLength,
      taskBudgetSeconds: input.taskBudgetSeconds ?? stored.taskBudgetSeconds ?? DEFAULTS.taskBudgetSeconds,
      leaseSeconds: input.leaseSeconds ?? stored.leaseSeconds ?? DEFAULTS.leaseSeconds,
    };
    const owner = { owner: run.runId, holder };
    await takeLease(deps, owner, settings, input.takeOver);
    try {
      // Under the lease no other run can start, so "still the latest" cannot change after this.
      await refuseIfSuperseded(deps, run.runId);
      await resumeRun(deps.table, run.runId);
      // The run being resumed may have died between a status write and its counter update
      // (a killed runner leaves one short per write in flight): recount before adding to them.
      await recountProgress(deps.table);
    } catch (error) {
      await releaseLease(deps.table, 'bulk-sync', owner);
      throw error;
    }
    deps.logger.info('run resumed', { reason: 'resume', runId: run.runId });
    return contextOf(run.runId, holder, settings, true);
  }

  const settings: Settings = {
    maxConcurrency: input.maxConcurrency ?? DEFAULTS.maxConcurrency,
    shardPrefixLength: input.shardPrefixLength ?? DEFAULTS.shardPrefixLength,
    taskBudgetSeconds: input.taskBudgetSeconds ?? DEFAULTS.taskBudgetSeconds,
    leaseSeconds: input.leaseSeconds ?? DEFAULTS.leaseSeconds,
  };
  const runId = event.executionName;
  const owner = { owner: runId, holder };
  await takeLease(deps, owner, settings, input.takeOver);
  try {
    await createRun(deps.table, runId, settings);
  } catch (error) {
    await releaseLease(deps.table, 'bulk-sync', owner);
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
  return contextOf(runId, holder, settings, false);
};

/**
 * Takes the bulk-sync lease (LeaseHeldError names a live holder, LeaseStaleError a dead one).
 * A run whose stale lease is taken over is closed as FAILED: it can no longer write, and
 * `sync status` should not show it RUNNING forever.
 */
const takeLease = async (deps: BulkExportDeps, owner: LeaseOwner, settings: Settings, takeOver?: boolean) => {
  // A task renews the lease when it starts; the next renewal comes from the next task, at most a
  // task budget and one retry back-off (60 s) later. A shorter lease would go STALE while alive.
  if (settings.leaseSeconds <= settings.taskBudgetSeconds + 60) {
    throw new InvalidInputError(
      `leaseSeconds (${settings.leaseSeconds}) must exceed taskBudgetSeconds (${settings.taskBudgetSeconds}) + 60`,
    );
  }
  const { takenOver } = await acquireLease(deps.table, 'bulk-sync', {
    ...owner,
    ttlMs: settings.leaseSeconds * 1000,
    ...(takeOver ? { takeOver } : {}),
  });
  if (!takenOver) return;
  deps.logger.warn('stale lease taken over', {
    reason: 'lease-takeover',
    from: takenOver.owner,
    holder: takenOver.holder,
  });
  if (takenOver.owner !== owner.owner && (await getRun(deps.table, takenOver.owner))?.status === 'RUNNING') {
    await finishRun(deps.table, takenOver.owner, {
      status: 'FAILED',
      error: {
        name: 'LeaseLostError',
        cause: `its lease stopped beating at ${takenOver.expiresAt} and was taken over by "${owner.owner}"`,
      },
    });
  }
};

/**
 * A run that is not the latest must not continue: users a later run wrote carry that run's id, so
 * this run's sweep would take them for users the source deleted.
 */
const refuseIfSuperseded = async (deps: BulkExportDeps, runId: string) => {
  const latest = await getLatestRun(deps.table);
  if (latest && latest.runId !== runId) {
    throw new RunSupersededError(
      `Run "${runId}" was superseded by run "${latest.runId}" (${latest.status}, started ${latest.startedAt}); resuming it would undo that run's work. ${
        latest.status === 'SUCCEEDED' ? 'Start a new run' : `Resume "${latest.runId}" or start a new run`
      } instead`,
    );
  }
};
