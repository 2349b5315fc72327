import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, tableCall as wrap } from './errors';
import type { MigrationStatus } from './status';
import { userKey, type TableContext } from './context';
import { getUser, toRecord, type UserRecord } from './users';

/*
 * The sub map's entries on user items: which target user (by `sub`) a migration created. Bound
 * once, by whoever sees the user first (group-sync at the first sign-in, the campaign from
 * AdminCreateUser, the reconciler from a target user carrying the legacy sub).
 */

/** What binding a target sub did. */
export interface TargetSubBinding {
  /** The record is bound to this sub (now or before); false when another sub was bound first. */
  bound: boolean;
  /**
   * The record as this binding left it, when this call bound it and the user's event is owed
   * (the record already in the target): the caller publishes it, nobody else will inline.
   */
  due?: UserRecord;
}

/**
 * Binds a record to the target user's `sub` the first time that user is seen (a conditional write:
 * the first binding stands) and restarts the event claim's clock, so the reconciler does not take
 * over an event this caller is about to publish. `due` tells the caller that its write is the one
 * that made an owed event publishable.
 */
export const recordTargetSub = async (
  ctx: TableContext,
  username: string,
  sub: string,
  options: { onlyIn?: readonly MigrationStatus[] } = {},
): Promise<TargetSubBinding> => {
  const now = new Date(ctx.clock.now()).toISOString();
  const only = options.onlyIn ?? [];
  const statusValues = Object.fromEntries(only.map((status, i) => [`:in${i}`, status]));
  let old: Record<string, unknown> | undefined;
  const won = await conditionalWrite(async () => {
    const result = await wrap('target binding', () =>
      ctx.doc.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key: userKey(username),
          UpdateExpression: 'SET targetSub = :sub, eventClaimedAt = :now',
          ConditionExpression: [
            'attribute_exists(pk) AND attribute_not_exists(targetSub)',
            ...(only.length > 0 ? [`#status IN (${Object.keys(statusValues).join(', ')})`] : []),
          ].join(' AND '),
          ...(only.length > 0 ? { ExpressionAttributeNames: { '#status': 'status' } } : {}),
          ExpressionAttributeValues: { ':sub': sub, ':now': now, ...statusValues },
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    old = result.Attributes;
  });
  if (!won) return { bound: (await getUser(ctx, username))?.targetSub === sub };
  const record = old ? toRecord({ ...old, targetSub: sub, eventClaimedAt: now }) : undefined;
  return { bound: true, ...(record?.eventOutbox ? { due: record } : {}) };
};

/**
 * Removes a binding to a target user that was deleted (the reset campaign's user, removed for a
 * sign-in that raced it), so the user Cognito creates at the next sign-in is bound instead.
 */
export const unbindTargetSub = async (ctx: TableContext, username: string, sub: string): Promise<boolean> =>
  conditionalWrite(() =>
    wrap('target unbinding', () =>
      ctx.doc.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key: userKey(username),
          UpdateExpression: 'REMOVE targetSub',
          ConditionExpression: 'targetSub = :sub',
          ExpressionAttributeValues: { ':sub': sub },
        }),
      ),
    ),
  );
