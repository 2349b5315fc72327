import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { MIGRATION_STATUSES, type MigrationStatus } from './status';
import { STATUS_INDEX, STATUS_SHARDS } from './definition';
import { COUNTERS_KEY, hourBucket, hourKey, type TableContext } from './context';
import { countAll } from './pagination';

/** "How far are we": one GetItem, whatever the table's size. */
export interface Progress {
  total: number;
  byStatus: Record<MigrationStatus, number>;
  refusals: Record<string, number>;
  updatedAt?: string;
  /** When the status counters were last recomputed from the status index. */
  recountedAt?: string;
}

export type StatusDeltas = Partial<Record<MigrationStatus | 'total', number>>;

const REFUSAL_PREFIX = 'refusal_';

/**
 * Adds deltas to the counters item. Callers apply a delta only after the conditional write
 * that justified it succeeded, so a lost race never counts.
 */
export const addCounters = async (ctx: TableContext, deltas: StatusDeltas): Promise<void> => {
  const entries = Object.entries(deltas).filter(([, value]) => value !== undefined && value !== 0);
  if (entries.length === 0) return;
  const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
  const values: Record<string, unknown> = { ':now': new Date(ctx.clock.now()).toISOString() };
  const adds = entries.map(([name, value], i) => {
    names[`#c${i}`] = name;
    values[`:c${i}`] = value;
    return `#c${i} :c${i}`;
  });
  await ctx.doc.send(
    new UpdateCommand({
      TableName: ctx.tableName,
      Key: COUNTERS_KEY,
      UpdateExpression: `ADD ${adds.join(', ')} SET #updatedAt = :now`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
};

/** Counts a refused migration attempt by reason code (e.g. `AMBIGUOUS_USER`). */
export const recordRefusal = async (ctx: TableContext, reason: string): Promise<void> => {
  await ctx.doc.send(
    new UpdateCommand({
      TableName: ctx.tableName,
      Key: COUNTERS_KEY,
      UpdateExpression: 'ADD #r :one',
      ExpressionAttributeNames: { '#r': `${REFUSAL_PREFIX}${reason}` },
      ExpressionAttributeValues: { ':one': 1 },
    }),
  );
};

/** Counts one migration in the hour it happened, for "migrations in the last hour / day". */
export const recordHourlyMigration = async (ctx: TableContext, method: string): Promise<void> => {
  await ctx.doc.send(
    new UpdateCommand({
      TableName: ctx.tableName,
      Key: hourKey(ctx.clock.now()),
      UpdateExpression: 'ADD #all :one, #method :one',
      ExpressionAttributeNames: { '#all': 'migrated', '#method': `method_${method}` },
      ExpressionAttributeValues: { ':one': 1 },
    }),
  );
};

export const getProgress = async (ctx: TableContext): Promise<Progress> => {
  const { Item } = await ctx.doc.send(
    new GetCommand({ TableName: ctx.tableName, Key: COUNTERS_KEY, ConsistentRead: true }),
  );
  const item = (Item ?? {}) as Record<string, unknown>;
  const byStatus = Object.fromEntries(
    MIGRATION_STATUSES.map((status) => [status, Number(item[status] ?? 0)]),
  ) as Record<MigrationStatus, number>;
  const refusals: Record<string, number> = {};
  for (const [key, value] of Object.entries(item)) {
    if (key.startsWith(REFUSAL_PREFIX)) refusals[key.slice(REFUSAL_PREFIX.length)] = Number(value);
  }
  return {
    total: Number(item.total ?? 0),
    byStatus,
    refusals,
    ...(typeof item.updatedAt === 'string' ? { updatedAt: item.updatedAt } : {}),
    ...(typeof item.recountedAt === 'string' ? { recountedAt: item.recountedAt } : {}),
  };
};

/** Migrations per hour bucket between two instants (inclusive), oldest first. */
export const getHourlyMigrations = async (
  ctx: TableContext,
  fromMs: number,
  toMs: number,
): Promise<{ hour: string; migrated: number }[]> => {
  const { Items = [] } = await ctx.doc.send(
    new QueryCommand({
      TableName: ctx.tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': COUNTERS_KEY.pk,
        ':from': `HOUR#${hourBucket(fromMs)}`,
        ':to': `HOUR#${hourBucket(toMs)}`,
      },
    }),
  );
  return Items.map((item) => ({ hour: String(item.sk).slice(5), migrated: Number(item.migrated ?? 0) }));
};

/**
 * Recomputes the status counters from the status index. Counters are updated right after the
 * conditional write they follow; a crash between the two leaves them one short, and this is how
 * the reconciler repairs that. It reads the sparse index (COUNT queries), not the whole table.
 */
export const recountProgress = async (ctx: TableContext): Promise<Record<MigrationStatus, number>> => {
  const counts = Object.fromEntries(MIGRATION_STATUSES.map((s) => [s, 0])) as Record<MigrationStatus, number>;
  for (const status of MIGRATION_STATUSES) {
    await Promise.all(
      STATUS_SHARDS.map(async (shard) => {
        // Await before adding: `counts[status] += await ...` would read the sum before the shards finish.
        const count = await countAll(ctx, {
          IndexName: STATUS_INDEX.indexName,
          KeyConditionExpression: '#k = :k',
          ExpressionAttributeNames: { '#k': STATUS_INDEX.partitionKey },
          ExpressionAttributeValues: { ':k': `${status}#${shard}` },
        });
        counts[status] += count;
      }),
    );
  }
  const total = MIGRATION_STATUSES.reduce((sum, s) => sum + counts[s], 0);
  // SET only the status counts: refusal counters and hourly items are not derived from the index
  // and must survive. A transition landing during the recount may be lost; recounts run from the
  // reconciler, and the next one corrects it.
  const names: Record<string, string> = {
    '#total': 'total',
    '#updatedAt': 'updatedAt',
    '#recountedAt': 'recountedAt',
  };
  const now = new Date(ctx.clock.now()).toISOString();
  const values: Record<string, unknown> = { ':total': total, ':now': now };
  const sets = ['#total = :total', '#updatedAt = :now', '#recountedAt = :now'];
  MIGRATION_STATUSES.forEach((status, i) => {
    names[`#s${i}`] = status;
    values[`:s${i}`] = counts[status];
    sets.push(`#s${i} = :s${i}`);
  });
  await ctx.doc.send(
    new UpdateCommand({
      TableName: ctx.tableName,
      Key: COUNTERS_KEY,
      UpdateExpression: `SET ${sets.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
  return counts;
};
