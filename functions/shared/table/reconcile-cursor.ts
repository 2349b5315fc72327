import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from './context';

const CURSOR_KEY = { pk: 'RECONCILE', sk: 'CURSOR' } as const;

/** Where the reconciler's repair pass stopped: the strategy it used and its opaque page token. */
export interface ReconcileCursor<S extends string = string> {
  strategy: S;
  token?: string;
}

export const loadReconcileCursor = async <S extends string>(
  ctx: TableContext,
): Promise<ReconcileCursor<S> | undefined> => {
  const { Item } = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: CURSOR_KEY }));
  return Item ? { strategy: Item.strategy as S, token: Item.token as string | undefined } : undefined;
};

/** Saves where the pass stopped, or forgets it (undefined) once a pass completes. */
export const saveReconcileCursor = async (
  ctx: TableContext,
  cursor: ReconcileCursor | undefined,
): Promise<void> => {
  if (!cursor) {
    await ctx.doc.send(new DeleteCommand({ TableName: ctx.tableName, Key: CURSOR_KEY }));
    return;
  }
  const updatedAt = new Date(ctx.clock.now()).toISOString();
  await ctx.doc.send(
    new PutCommand({ TableName: ctx.tableName, Item: { ...CURSOR_KEY, ...cursor, updatedAt } }),
  );
};
