import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { EVENT_OUTBOX_INDEX, STATUS_SHARDS } from './definition';
import { statusShard, userKey, type TableContext } from './context';
import { conditionalWrite, tableCall as wrap } from './errors';
import { decodeCursor, encodeCursor } from './pagination';
import type { MigrationMethod } from './status';

/**
 * The `UserMigrated` event's outbox on user items. One event is owed per user, from the write that
 * moves the user into the target pool (MIGRATED, RESET_SENT: `owedEventFields` goes into that same
 * conditional write, so no crash can lose it) until it is published (`markEventPublished` removes
 * `eventOutbox`, taking the item out of the sparse outbox index). It can be published only once the
 * target user's `sub` is known; whichever write makes the second of "owed" and "sub known" true
 * sees both in its own result and publishes inline — exactly one writer, since DynamoDB serialises
 * writes on an item. A publisher that fails or crashes leaves the item in the outbox with its claim
 * time; the reconciler takes claims older than EVENT_CLAIM_GRACE_MS over (`reclaimEvent`, a
 * conditional write on the claim it read) and publishes them again under the same event id.
 */
export interface EventOutboxFields {
  /** `OUTBOX#<shard>` while the event is owed (the outbox index's partition key). */
  eventOutbox?: string;
  /** When the current publisher claimed it (the outbox index's sort key). */
  eventClaimedAt?: string;
  eventPublishedAt?: string;
  /** The published event's deterministic id. */
  eventId?: string;
}

/** What a `UserMigrated` event is made of: the record's identities, never an attribute value. */
export interface EventSubject {
  username: string;
  /** The source user's sub. */
  sub: string;
  targetUsername?: string;
  /** Set where Cognito generates the username: `targetUsername` is then this attribute's value. */
  targetUsernameAttribute?: 'email' | 'phone_number';
  targetSub?: string;
  method?: MigrationMethod;
  migratedAt?: string;
}

/**
 * The target user's username as Cognito knows it (ListUsers, AdminGetUser). Where the pool uses
 * email or phone as username, the migration gave Cognito that value, and Cognito named the user
 * after its sub: the name is the sub — never the email or phone, an attribute value no event or
 * sub map may carry.
 */
export const cognitoTargetUsername = (
  subject: Pick<EventSubject, 'username' | 'targetUsername' | 'targetUsernameAttribute' | 'targetSub'>,
): string =>
  subject.targetUsernameAttribute && subject.targetSub
    ? subject.targetSub
    : (subject.targetUsername ?? subject.username);

/** A publisher that started longer ago than this has stopped: its claim may be taken over. */
export const EVENT_CLAIM_GRACE_MS = 5 * 60_000;

const outboxKey = (sourceSub: string | undefined) => `OUTBOX#${statusShard(sourceSub)}`;

/** The fields that owe a user's event, set in the same write that moves the user into the target. */
export const owedEventFields = (nowIso: string, sourceSub: string | undefined) => ({
  eventOutbox: outboxKey(sourceSub),
  eventClaimedAt: nowIso,
});

/** True when the item's own latest write shows an owed event with a known target sub. */
export const isEventDue = (item: EventOutboxFields & { targetSub?: string }): boolean =>
  Boolean(item.eventOutbox && item.targetSub);

const toSubject = (item: Record<string, unknown>): EventSubject => ({
  username: String(item.username),
  sub: String(item.sub ?? ''),
  ...(typeof item.targetUsername === 'string' ? { targetUsername: item.targetUsername } : {}),
  ...(item.targetUsernameAttribute === 'email' || item.targetUsernameAttribute === 'phone_number'
    ? { targetUsernameAttribute: item.targetUsernameAttribute }
    : {}),
  ...(typeof item.targetSub === 'string' ? { targetSub: item.targetSub } : {}),
  ...(typeof item.method === 'string' ? { method: item.method as MigrationMethod } : {}),
  ...(typeof item.migratedAt === 'string' ? { migratedAt: item.migratedAt } : {}),
});

/** Records that the event went out: the item leaves the outbox. */
export const markEventPublished = async (
  ctx: TableContext,
  username: string,
  eventId: string,
): Promise<void> => {
  await wrap('event published mark', () =>
    ctx.doc.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: userKey(username),
        UpdateExpression: 'SET eventPublishedAt = :now, eventId = :id REMOVE eventOutbox',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': new Date(ctx.clock.now()).toISOString(), ':id': eventId },
      }),
    ),
  );
};

/** One outbox entry as the index holds it. */
export interface OutboxEntry {
  username: string;
  claimedAt: string;
  /** Absent while the target user's sub is unknown (nothing to publish yet). */
  targetSub?: string;
}

export interface OutboxPage {
  entries: OutboxEntry[];
  nextToken?: string;
}

/** Pages through the owed events claimed before `olderThan` (ISO), shard by shard. */
export const listStaleEventClaims = async (
  ctx: TableContext,
  olderThan: string,
  options: { limit?: number; nextToken?: string } = {},
): Promise<OutboxPage> => {
  const limit = options.limit ?? 100;
  const cursor = options.nextToken
    ? decodeCursor<{ shard: number; startKey?: Record<string, unknown> }>(options.nextToken)
    : { shard: 0 };
  const entries: OutboxEntry[] = [];
  let { shard, startKey } = cursor;
  while (shard < STATUS_SHARDS.length && entries.length < limit) {
    const page = await wrap('outbox query', () =>
      ctx.doc.send(
        new QueryCommand({
          TableName: ctx.tableName,
          IndexName: EVENT_OUTBOX_INDEX.indexName,
          KeyConditionExpression: '#k = :k AND #at < :cutoff',
          ExpressionAttributeNames: {
            '#k': EVENT_OUTBOX_INDEX.partitionKey,
            '#at': EVENT_OUTBOX_INDEX.sortKey,
          },
          ExpressionAttributeValues: { ':k': `OUTBOX#${STATUS_SHARDS[shard]}`, ':cutoff': olderThan },
          Limit: limit - entries.length,
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    for (const item of page.Items ?? []) {
      entries.push({
        username: String(item.username),
        claimedAt: String(item.eventClaimedAt),
        ...(typeof item.targetSub === 'string' ? { targetSub: item.targetSub } : {}),
      });
    }
    startKey = page.LastEvaluatedKey;
    if (!startKey) shard += 1;
  }
  return {
    entries,
    ...(shard < STATUS_SHARDS.length ? { nextToken: encodeCursor({ shard, startKey }) } : {}),
  };
};

/**
 * Takes over a stale claim: succeeds only while the claim is still the one read (another
 * republisher or a late inline publisher did not move it) and the event is still owed. Returns
 * what to publish, or undefined when someone else has it.
 */
export const reclaimEvent = async (
  ctx: TableContext,
  username: string,
  seenClaimedAt: string,
): Promise<EventSubject | undefined> => {
  let attributes: Record<string, unknown> | undefined;
  const won = await conditionalWrite(async () => {
    const result = await wrap('event reclaim', () =>
      ctx.doc.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key: userKey(username),
          UpdateExpression: 'SET eventClaimedAt = :now',
          ConditionExpression:
            'eventClaimedAt = :seen AND attribute_exists(eventOutbox) AND attribute_exists(targetSub)',
          ExpressionAttributeValues: {
            ':now': new Date(ctx.clock.now()).toISOString(),
            ':seen': seenClaimedAt,
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    attributes = result.Attributes;
  });
  return won && attributes ? toSubject(attributes) : undefined;
};
