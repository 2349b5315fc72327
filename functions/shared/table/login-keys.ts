import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { loginKeyPk, type TableContext } from './context';
import { queryAll } from './pagination';
import type { SourceUserSnapshot } from './users';

/** The attributes a person can type at sign-in, besides the username itself. */
export const LOGIN_KEY_ATTRIBUTES = ['email', 'phone_number', 'preferred_username'] as const;

export type LoginKeyKind = 'username' | (typeof LOGIN_KEY_ATTRIBUTES)[number];

export interface LoginKey {
  kind: LoginKeyKind;
  /** Lowercased, so a case-insensitive target finds a case-sensitive source's user. */
  value: string;
}

/** The login keys of one source user, deduplicated. */
export const loginKeysOf = (user: Pick<SourceUserSnapshot, 'username' | 'attributes'>): LoginKey[] => {
  const keys = new Map<string, LoginKey>();
  keys.set(user.username.toLowerCase(), { kind: 'username', value: user.username.toLowerCase() });
  for (const kind of LOGIN_KEY_ATTRIBUTES) {
    const value = user.attributes[kind]?.toLowerCase();
    if (value && !keys.has(value)) keys.set(value, { kind, value });
  }
  return [...keys.values()];
};

/**
 * Writes the login-key items of a page of users (BatchWriteItem in 25s, unprocessed items
 * retried with jittered backoff). Idempotent: the same key for the same user is one item.
 */
export const putLoginKeys = async (
  ctx: TableContext,
  users: readonly Pick<SourceUserSnapshot, 'username' | 'attributes'>[],
): Promise<void> => {
  const items = users.flatMap((user) =>
    loginKeysOf(user).map((key) => ({
      pk: loginKeyPk(key.value),
      sk: `USER#${user.username}`,
      username: user.username,
      kind: key.kind,
    })),
  );
  await batchPut(ctx, items);
};

/** Deletes login keys a user no longer has (an email changed in the source). */
export const deleteLoginKeys = async (ctx: TableContext, username: string, keys: readonly LoginKey[]) => {
  await batchWrite(
    ctx,
    keys.map((key) => ({ DeleteRequest: { Key: { pk: loginKeyPk(key.value), sk: `USER#${username}` } } })),
  );
};

/** The source usernames a typed login name may mean. More than one means it is ambiguous. */
export const findUsernamesByLoginKey = async (ctx: TableContext, typed: string): Promise<string[]> => {
  const items = await queryAll(ctx, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': loginKeyPk(typed) },
    ConsistentRead: true,
  });
  return [...new Set(items.map((item) => String(item.username)))].sort();
};

type WriteRequest =
  { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

const batchPut = (ctx: TableContext, items: Record<string, unknown>[]) =>
  batchWrite(
    ctx,
    items.map((Item) => ({ PutRequest: { Item } })),
  );

/** BatchWriteItem in chunks of 25, retrying unprocessed items with growing, jittered backoff. */
export const batchWrite = async (
  ctx: TableContext,
  requests: WriteRequest[],
  maxAttempts = 8,
): Promise<void> => {
  for (let i = 0; i < requests.length; i += 25) {
    let pending = requests.slice(i, i + 25);
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt >= maxAttempts) {
        throw new Error(
          `BatchWriteItem left ${pending.length} items unprocessed after ${maxAttempts} attempts`,
        );
      }
      if (attempt > 0) await ctx.clock.sleep(Math.random() * Math.min(2000, 50 * 2 ** attempt));
      const result = await ctx.doc.send(
        new BatchWriteCommand({ RequestItems: { [ctx.tableName]: pending } }),
      );
      pending = (result.UnprocessedItems?.[ctx.tableName] ?? []) as WriteRequest[];
    }
  }
};
