import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RunNotFoundError } from '../errors';
import { runKey, type TableContext } from './context';
import { ConditionalCheckFailedException, conditionalWrite } from './errors';
import { queryAll } from './pagination';

export type RunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

/** A bulk-sync run: one execution, or several when it is resumed. */
export interface RunRecord {
  runId: string;
  status: RunStatus;
  startedAt: string;
  finishedAt?: string;
  /** The validated input the run started with (shards, concurrency...). */
  input: Record<string, unknown>;
  counts?: Record<string, number>;
  error?: { name: string; cause: string };
  resumedAt?: string[];
}

/** A checkpoint of one paginated loop of a run (a ListUsers shard, a group's members). */
export interface Checkpoint {
  key: string;
  cursor?: string;
  seen: number;
  /** Users read but outside the migration scope (user shards with a scope only). */
  outOfScope?: number;
  pages: number;
  done: boolean;
}

const RUNS_PK = 'RUNS';

export const createRun = async (
  ctx: TableContext,
  runId: string,
  input: Record<string, unknown>,
): Promise<RunRecord> => {
  const startedAt = new Date(ctx.clock.now()).toISOString();
  const run: RunRecord = { runId, status: 'RUNNING', startedAt, input };
  await ctx.doc.send(
    new PutCommand({
      TableName: ctx.tableName,
      Item: { ...runKey(runId), ...run },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  await ctx.doc.send(
    new PutCommand({ TableName: ctx.tableName, Item: { pk: RUNS_PK, sk: `${startedAt}#${runId}`, runId } }),
  );
  return run;
};

export const getRun = async (ctx: TableContext, runId: string): Promise<RunRecord | undefined> => {
  const { Item } = await ctx.doc.send(
    new GetCommand({ TableName: ctx.tableName, Key: runKey(runId), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const { pk: _pk, sk: _sk, ...run } = Item;
  return run as RunRecord;
};

/** The most recently started run, for `sync status` without an id. */
export const getLatestRun = async (ctx: TableContext): Promise<RunRecord | undefined> => {
  const { Items = [] } = await ctx.doc.send(
    new QueryCommand({
      TableName: ctx.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': RUNS_PK },
      ScanIndexForward: false,
      Limit: 1,
    }),
  );
  const latest = Items[0];
  return latest ? getRun(ctx, String(latest.runId)) : undefined;
};

/** Marks a run as resumed; it must exist and not have succeeded. */
export const resumeRun = async (ctx: TableContext, runId: string): Promise<RunRecord> => {
  const now = new Date(ctx.clock.now()).toISOString();
  try {
    const { Attributes } = await ctx.doc.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: runKey(runId),
        UpdateExpression:
          'SET #status = :running, resumedAt = list_append(if_not_exists(resumedAt, :empty), :now) REMOVE #error',
        ConditionExpression: 'attribute_exists(pk) AND #status <> :succeeded',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: {
          ':running': 'RUNNING',
          ':succeeded': 'SUCCEEDED',
          ':empty': [],
          ':now': [now],
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const { pk: _pk, sk: _sk, ...run } = Attributes ?? {};
    return run as RunRecord;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      throw new RunNotFoundError(
        `Run "${runId}" does not exist or already succeeded; start a new run instead of resuming it`,
        { cause: error },
      );
    }
    throw error;
  }
};

export const finishRun = async (
  ctx: TableContext,
  runId: string,
  outcome: {
    status: Exclude<RunStatus, 'RUNNING'>;
    counts?: Record<string, number>;
    error?: RunRecord['error'];
  },
): Promise<void> => {
  await ctx.doc.send(
    new UpdateCommand({
      TableName: ctx.tableName,
      Key: runKey(runId),
      UpdateExpression: 'SET #status = :status, finishedAt = :now, counts = :counts, #error = :error',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
      ExpressionAttributeValues: {
        ':status': outcome.status,
        ':now': new Date(ctx.clock.now()).toISOString(),
        ':counts': outcome.counts ?? {},
        ':error': outcome.error ?? null,
      },
    }),
  );
};

const checkpointKey = (runId: string, key: string) => ({ pk: `RUN#${runId}`, sk: `CP#${key}` });

export const getCheckpoint = async (ctx: TableContext, runId: string, key: string): Promise<Checkpoint> => {
  const { Item } = await ctx.doc.send(
    new GetCommand({ TableName: ctx.tableName, Key: checkpointKey(runId, key), ConsistentRead: true }),
  );
  return {
    key,
    seen: Number(Item?.seen ?? 0),
    ...(Item?.outOfScope ? { outOfScope: Number(Item.outOfScope) } : {}),
    pages: Number(Item?.pages ?? 0),
    done: Item?.done === true,
    ...(typeof Item?.cursor === 'string' ? { cursor: Item.cursor } : {}),
  };
};

/** All checkpoints of a run whose key starts with `prefix` (e.g. `users#`). */
export const listCheckpoints = async (
  ctx: TableContext,
  runId: string,
  prefix = '',
): Promise<Checkpoint[]> => {
  const items = await queryAll(ctx, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': `RUN#${runId}`, ':prefix': `CP#${prefix}` },
    ConsistentRead: true,
  });
  return items.map((item) => ({
    key: String(item.sk).slice(3),
    seen: Number(item.seen ?? 0),
    ...(item.outOfScope ? { outOfScope: Number(item.outOfScope) } : {}),
    pages: Number(item.pages ?? 0),
    done: item.done === true,
    ...(typeof item.cursor === 'string' ? { cursor: item.cursor } : {}),
  }));
};

/**
 * Advances a checkpoint from `fromCursor` to `toCursor`, adding the page's counts, only if no
 * one advanced it first. A retried task that re-reads a page it already counted loses this
 * condition and counts nothing, so totals stay exact across crashes and retries.
 */
export const advanceCheckpoint = async (
  ctx: TableContext,
  runId: string,
  key: string,
  step: {
    fromCursor: string | undefined;
    toCursor: string | undefined;
    seen: number;
    /** Users the page held outside the migration scope (read, not written). */
    outOfScope?: number;
    done: boolean;
  },
): Promise<boolean> => {
  const values: Record<string, unknown> = {
    ':seen': step.seen,
    ':one': 1,
    ':done': step.done,
    ':now': new Date(ctx.clock.now()).toISOString(),
    ':false': false,
  };
  let condition = '(attribute_not_exists(done) OR done = :false)';
  if (step.fromCursor === undefined) condition += ' AND attribute_not_exists(#cursor)';
  else {
    condition += ' AND #cursor = :from';
    values[':from'] = step.fromCursor;
  }
  let update = 'ADD seen :seen, pages :one';
  if (step.outOfScope) {
    update += ', outOfScope :outOfScope';
    values[':outOfScope'] = step.outOfScope;
  }
  update += ' SET done = :done, updatedAt = :now';
  if (step.toCursor === undefined) update += ' REMOVE #cursor';
  else {
    update += ', #cursor = :to';
    values[':to'] = step.toCursor;
  }
  return conditionalWrite(() =>
    ctx.doc.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: checkpointKey(runId, key),
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#cursor': 'cursor' },
        ExpressionAttributeValues: values,
      }),
    ),
  );
};
