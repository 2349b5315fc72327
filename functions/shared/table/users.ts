import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidTransitionError } from '../errors';
import { ConditionalCheckFailedException, conditionalWrite, tableCall as wrap } from './errors';
import { decodeCursor, encodeCursor } from './pagination';
import { canTransition, IN_TARGET, MIGRATABLE, type MigrationMethod, type MigrationStatus } from './status';
import { owedEventFields, type EventOutboxFields } from './migration-events';
import { addCounters, recordHourlyMigration } from './progress';
import { STATUS_INDEX, STATUS_SHARDS } from './definition';
import { statusKey, userKey, type TableContext } from './context';

/** A source user as the bulk sync saw it. */
export interface SourceUserSnapshot {
  username: string;
  sub: string;
  /** Source attributes by name, `sub` included. */
  attributes: Record<string, string>;
  /** Cognito's status in the source pool (CONFIRMED, UNCONFIRMED, FORCE_CHANGE_PASSWORD, ...). */
  userStatus: string;
  enabled: boolean;
  createdAt?: string;
  modifiedAt?: string;
}

/** The migration table's record of one source user. */
export interface UserRecord extends SourceUserSnapshot, EventOutboxFields {
  status: MigrationStatus;
  groups: string[];
  groupsApplied?: boolean;
  groupsAppliedAt?: string;
  method?: MigrationMethod;
  migratedAt?: string;
  /** The target user's name as the migration told Cognito (or, with `targetUsernameAttribute`, that attribute's value). */
  targetUsername?: string;
  /** Set when the target pool generates usernames: `targetUsername` is this attribute's value. */
  targetUsernameAttribute?: 'email' | 'phone_number';
  /**
   * The target user's `sub`: bound at the first sign-in after the migration created the user
   * (PostAuthentication / PreTokenGeneration), from AdminCreateUser's answer in the reset campaign,
   * or from the target user the reconciler found. The sub map (`export sub-map`) pairs it with `sub`.
   */
  targetSub?: string;
  /**
   * The attribute a sign-in's migration gave the new target user the source sub in: until the
   * target sub is bound, only a target user carrying it is the one the migration created.
   */
  legacySubAttribute?: string;
  /** When the reset campaign's code went out (RESET_SENT). */
  resetSentAt?: string;
  mfaReenrolRequired?: boolean;
  /** When the migrated user had enabled a second factor again in the target (after `mfaReenrolRequired`). */
  mfaReenrolledAt?: string;
  reason?: string;
  lastRunId?: string;
  shard?: string;
  /** True when the item was created by a migration, without a bulk-sync snapshot. */
  snapshotMissing?: boolean;
  updatedAt?: string;
}

export const toRecord = (item: Record<string, unknown>): UserRecord => {
  const { pk: _pk, sk: _sk, statusKey: _statusKey, groups, ...rest } = item;
  return { ...(rest as unknown as UserRecord), groups: groups instanceof Set ? [...groups].sort() : [] };
};

export const getUser = async (ctx: TableContext, username: string): Promise<UserRecord | undefined> => {
  const { Item } = await wrap('read', () =>
    ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: userKey(username), ConsistentRead: true })),
  );
  return Item ? toRecord(Item) : undefined;
};

/**
 * Writes or refreshes a user's snapshot in one UpdateItem. A new user becomes PENDING; an
 * existing user's migration status is never reset (a re-run must not undo MIGRATED), except that
 * a user marked SOURCE_DELETED or OUT_OF_SCOPE who is seen again (in scope) returns to PENDING. Returns whether it was new,
 * so the caller can add the page's counters once.
 */
export const upsertSnapshot = async (
  ctx: TableContext,
  user: SourceUserSnapshot,
  extra: { runId?: string; shard?: string } = {},
): Promise<{ created: boolean; previousStatus?: MigrationStatus }> => {
  const now = new Date(ctx.clock.now()).toISOString();
  // Every name goes through a placeholder: several (shard, enabled, attributes...) are reserved words.
  const fields: Record<string, unknown> = {
    username: user.username,
    sub: user.sub,
    attributes: user.attributes,
    userStatus: user.userStatus,
    enabled: user.enabled,
    createdAt: user.createdAt ?? null,
    modifiedAt: user.modifiedAt ?? null,
    lastRunId: extra.runId ?? null,
    shard: extra.shard ?? null,
    updatedAt: now,
    snapshotMissing: false,
  };
  const names: Record<string, string> = { '#status': 'status', '#statusKey': 'statusKey' };
  const values: Record<string, unknown> = {
    ':pending': 'PENDING',
    ':pendingKey': statusKey('PENDING', user.sub),
  };
  const sets = Object.entries(fields).map(([name, value], i) => {
    names[`#f${i}`] = name;
    values[`:f${i}`] = value;
    return `#f${i} = :f${i}`;
  });
  sets.push(
    '#status = if_not_exists(#status, :pending)',
    '#statusKey = if_not_exists(#statusKey, :pendingKey)',
  );
  const result = await wrap('snapshot write', () =>
    ctx.doc.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: userKey(user.username),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'UPDATED_OLD',
      }),
    ),
  );
  const previous = result.Attributes?.status as MigrationStatus | undefined;
  if (previous === undefined) return { created: true };
  // Seen again (in scope again): back to PENDING, as if never gone.
  if (previous === 'SOURCE_DELETED' || previous === 'OUT_OF_SCOPE') {
    await transitionStatus(ctx, user.username, { from: [previous], to: 'PENDING' });
  }
  return { created: false, previousStatus: previous };
};

export interface TransitionRequest {
  from: readonly MigrationStatus[];
  to: MigrationStatus;
  /** Extra attributes set in the same conditional write. */
  set?: Record<string, unknown>;
  /** Attributes removed in the same conditional write. */
  remove?: readonly string[];
  reason?: string;
}

/**
 * Moves a record from one of `from` to `to` with a conditional write on the exact status it
 * read, then counts the move. Exactly one of several concurrent callers wins; the others get
 * `changed: false` and the status they lost to, and count nothing.
 *
 * Read, then write: the write needs the user's sub (its status-index key) and the status it
 * leaves (the counters). `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'` would save the re-read
 * after a lost race on AWS, but dynalite (local/dynamodb) ignores it (no `Item` on the
 * ConditionalCheckFailedException, checked 2026-11-28), so every caller goes through this one
 * function and it re-reads.
 */
export const transitionStatus = async (
  ctx: TableContext,
  username: string,
  request: TransitionRequest,
): Promise<{ changed: boolean; status: MigrationStatus | undefined; record?: UserRecord }> => {
  const invalid = request.from.filter((status) => !canTransition(status, request.to));
  if (invalid.length > 0) throw new InvalidTransitionError(invalid, request.to);
  const extra = { ...request.set, ...(request.reason ? { reason: request.reason } : {}) };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const current = await getUser(ctx, username);
    if (!current || !request.from.includes(current.status)) {
      return { changed: false, status: current?.status };
    }
    const names: Record<string, string> = {
      '#status': 'status',
      '#statusKey': 'statusKey',
      '#updatedAt': 'updatedAt',
    };
    const values: Record<string, unknown> = {
      ':to': request.to,
      ':from': current.status,
      ':statusKey': statusKey(request.to, current.sub),
      ':now': new Date(ctx.clock.now()).toISOString(),
    };
    const sets = ['#status = :to', '#statusKey = :statusKey', '#updatedAt = :now'];
    // Entering the target owes the user's one UserMigrated event, in this same conditional write.
    const owed =
      IN_TARGET.includes(request.to) && !IN_TARGET.includes(current.status)
        ? owedEventFields(values[':now'] as string, current.sub)
        : {};
    Object.entries({ ...extra, ...owed }).forEach(([name, value], i) => {
      names[`#s${i}`] = name;
      values[`:s${i}`] = value;
      sets.push(`#s${i} = :s${i}`);
    });
    (request.remove ?? []).forEach((name, i) => (names[`#r${i}`] = name));
    const removals = request.remove?.length
      ? ` REMOVE ${request.remove.map((_, i) => `#r${i}`).join(', ')}`
      : '';
    let written: Record<string, unknown> | undefined;
    try {
      const result = await wrap('status change', () =>
        ctx.doc.send(
          new UpdateCommand({
            TableName: ctx.tableName,
            Key: userKey(username),
            UpdateExpression: `SET ${sets.join(', ')}${removals}`,
            ConditionExpression: '#status = :from',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            // The item as this write left it: whether its event is now due is read from here, not re-read.
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      written = result.Attributes;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) continue;
      throw error;
    }
    await addCounters(ctx, { [current.status]: -1, [request.to]: 1 });
    return { changed: true, status: request.to, ...(written ? { record: toRecord(written) } : {}) };
  }
  const latest = await getUser(ctx, username);
  return { changed: false, status: latest?.status };
};

export interface MigratedDetails {
  method: MigrationMethod;
  targetUsername: string;
  targetUsernameAttribute?: 'email' | 'phone_number';
  sub?: string;
  /** The target user's sub, when the caller knows it (the reconciler found the user in the target). */
  targetSub?: string;
  /** The attribute the migration put the source sub in, when it did (see UserRecord). */
  legacySubAttribute?: string;
  mfaReenrolRequired?: boolean;
}

/**
 * Records that a user now exists in the target pool. Counted once: a user already MIGRATED is
 * left alone, and a user the snapshot lacks (signed up after the export) gets a new item.
 */
export const recordMigrated = async (
  ctx: TableContext,
  username: string,
  details: MigratedDetails,
): Promise<{ changed: boolean; status: MigrationStatus | undefined; record?: UserRecord }> => {
  const set: Record<string, unknown> = {
    method: details.method,
    targetUsername: details.targetUsername,
    ...(details.targetUsernameAttribute ? { targetUsernameAttribute: details.targetUsernameAttribute } : {}),
    ...(details.legacySubAttribute ? { legacySubAttribute: details.legacySubAttribute } : {}),
    migratedAt: new Date(ctx.clock.now()).toISOString(),
    mfaReenrolRequired: details.mfaReenrolRequired ?? false,
  };
  const existing = await getUser(ctx, username);
  if (!existing) {
    const item = {
      ...userKey(username),
      username,
      sub: details.sub ?? '',
      attributes: {},
      userStatus: 'UNKNOWN',
      enabled: true,
      status: 'MIGRATED',
      statusKey: statusKey('MIGRATED', details.sub),
      snapshotMissing: true,
      updatedAt: set.migratedAt,
      ...set,
      ...(details.targetSub ? { targetSub: details.targetSub } : {}),
      ...owedEventFields(set.migratedAt as string, details.sub),
    };
    try {
      await wrap('migration record', () =>
        ctx.doc.send(
          new PutCommand({
            TableName: ctx.tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return recordMigrated(ctx, username, details);
    }
    await addCounters(ctx, { total: 1, MIGRATED: 1 });
    await recordHourlyMigration(ctx, details.method);
    return { changed: true, status: 'MIGRATED', record: toRecord(item) };
  }
  if (existing.status === 'MIGRATED') return { changed: false, status: 'MIGRATED' };
  // The target user is the one there now: the one the caller found (a repair), or the one Cognito
  // creates after a sign-in's migration (no sub given yet). A sub bound before (a campaign user an
  // administrator deleted since) is stale and must not hide it from group-sync or the sub map.
  if (details.targetSub) set.targetSub = details.targetSub;
  const stale = !details.targetSub && existing.targetSub ? ['targetSub'] : [];
  const result = await transitionStatus(ctx, username, {
    from: MIGRATABLE,
    to: 'MIGRATED',
    set,
    remove: stale,
  });
  if (result.changed) await recordHourlyMigration(ctx, details.method);
  return result;
};

/** Adds source groups to a user's item; idempotent (a string set). */
export const addUserGroups = async (
  ctx: TableContext,
  username: string,
  groups: readonly string[],
): Promise<void> => {
  if (groups.length === 0) return;
  await wrap('group membership write', () =>
    ctx.doc.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: userKey(username),
        UpdateExpression: 'ADD #groups :groups',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#groups': 'groups' },
        ExpressionAttributeValues: { ':groups': new Set(groups) },
      }),
    ),
  );
};

/**
 * Marks a user's groups as applied in the target pool, once. Returns false when someone else
 * already did, so exactly one sign-in (or campaign step) applies them.
 */
export const markGroupsApplied = async (ctx: TableContext, username: string): Promise<boolean> =>
  conditionalWrite(() =>
    wrap('groups-applied mark', () =>
      ctx.doc.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key: userKey(username),
          UpdateExpression: 'SET groupsApplied = :true, groupsAppliedAt = :now',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(groupsApplied) OR groupsApplied = :false)',
          ExpressionAttributeValues: {
            ':true': true,
            ':false': false,
            ':now': new Date(ctx.clock.now()).toISOString(),
          },
        }),
      ),
    ),
  );

/** Records that a user flagged `mfaReenrolRequired` has a second factor again in the target pool. */
export const markMfaReenrolled = async (ctx: TableContext, username: string): Promise<void> => {
  await wrap('mfa re-enrolment mark', () =>
    ctx.doc.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: userKey(username),
        UpdateExpression: 'SET mfaReenrolledAt = if_not_exists(mfaReenrolledAt, :now)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': new Date(ctx.clock.now()).toISOString() },
      }),
    ),
  );
};

/** What the status index holds of one user (STATUS_INDEX_ATTRIBUTES and the keys). */
export interface StatusEntry {
  username: string;
  status: MigrationStatus;
  enabled: boolean;
  userStatus: string;
  reason?: string;
}

export interface StatusPage<T = StatusEntry> {
  users: T[];
  /** Opaque; pass back to get the next page. Absent on the last page. */
  nextToken?: string;
}

interface ListOptions {
  limit?: number;
  nextToken?: string;
}

const toEntry = (item: Record<string, unknown>): StatusEntry => ({
  username: String(item.username),
  status: item.status as MigrationStatus,
  enabled: item.enabled !== false,
  userStatus: String(item.userStatus ?? ''),
  ...(typeof item.reason === 'string' ? { reason: item.reason } : {}),
});

/**
 * Pages through the users in one status, shard by shard, through the sparse status index. The
 * index holds only STATUS_INDEX_ATTRIBUTES; with `full` every user's whole record is read from
 * the table (one consistent GetItem each, in parallel), and a user that left meanwhile is dropped.
 */
export async function listUsersByStatus(
  ctx: TableContext,
  status: MigrationStatus,
  options?: ListOptions & { full?: false },
): Promise<StatusPage<StatusEntry>>;
export async function listUsersByStatus(
  ctx: TableContext,
  status: MigrationStatus,
  options: ListOptions & { full: true },
): Promise<StatusPage<UserRecord>>;
export async function listUsersByStatus(
  ctx: TableContext,
  status: MigrationStatus,
  options: ListOptions & { full?: boolean } = {},
): Promise<StatusPage<StatusEntry | UserRecord>> {
  const limit = options.limit ?? 100;
  const cursor = options.nextToken
    ? decodeCursor<{ shard: number; startKey?: Record<string, unknown> }>(options.nextToken)
    : { shard: 0 };
  const entries: StatusEntry[] = [];
  let shard = cursor.shard;
  let startKey = cursor.startKey;
  while (shard < STATUS_SHARDS.length && entries.length < limit) {
    const page = await wrap('status query', () =>
      ctx.doc.send(
        new QueryCommand({
          TableName: ctx.tableName,
          IndexName: STATUS_INDEX.indexName,
          KeyConditionExpression: '#k = :k',
          ExpressionAttributeNames: { '#k': STATUS_INDEX.partitionKey },
          ExpressionAttributeValues: { ':k': `${status}#${STATUS_SHARDS[shard]}` },
          Limit: limit - entries.length,
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    entries.push(...(page.Items ?? []).map(toEntry));
    startKey = page.LastEvaluatedKey;
    if (!startKey) shard += 1;
  }
  const more = shard < STATUS_SHARDS.length;
  const users = options.full
    ? (await Promise.all(entries.map((entry) => getUser(ctx, entry.username)))).filter(
        (user): user is UserRecord => user !== undefined,
      )
    : entries;
  return {
    users,
    ...(more ? { nextToken: encodeCursor({ shard, startKey }) } : {}),
  };
}
