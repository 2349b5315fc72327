import { paginateQuery, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from './context';

/** Every item a query returns, over all its pages (lib-dynamodb's paginator). */
export const queryAll = async (
  ctx: TableContext,
  input: Omit<QueryCommandInput, 'TableName'>,
): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateQuery({ client: ctx.doc }, { TableName: ctx.tableName, ...input })) {
    items.push(...(page.Items ?? []));
  }
  return items;
};

/** The sum of `Count` over every page of a `Select: 'COUNT'` query. */
export const countAll = async (
  ctx: TableContext,
  input: Omit<QueryCommandInput, 'TableName' | 'Select'>,
): Promise<number> => {
  let count = 0;
  for await (const page of paginateQuery(
    { client: ctx.doc },
    { TableName: ctx.tableName, ...input, Select: 'COUNT' },
  )) {
    count += page.Count ?? 0;
  }
  return count;
};

/** An opaque, URL-safe cursor for any JSON value (a LastEvaluatedKey, a shard and key...). */
export const encodeCursor = (value: unknown): string =>
  Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

export const decodeCursor = <T = Record<string, unknown>>(cursor: string): T =>
  JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as T;
