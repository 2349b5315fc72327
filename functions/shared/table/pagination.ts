import {
  paginateQuery,
  ScanCommand,
  type QueryCommandInput,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { TableContext } from './context';
import { tableCall } from './errors';

/** Every item a query returns, over all its pages (lib-dynamodb's paginator). */
export const queryAll = async (
  ctx: TableContext,
  input: Omit<QueryCommandInput, 'TableName'>,
  operation = 'query',
): Promise<Record<string, unknown>[]> =>
  tableCall(operation, async () => {
    const items: Record<string, unknown>[] = [];
    for await (const page of paginateQuery({ client: ctx.doc }, { TableName: ctx.tableName, ...input })) {
      items.push(...(page.Items ?? []));
    }
    return items;
  });

/** The sum of `Count` over every page of a `Select: 'COUNT'` query. */
export const countAll = async (
  ctx: TableContext,
  input: Omit<QueryCommandInput, 'TableName' | 'Select'>,
  operation = 'count query',
): Promise<number> =>
  tableCall(operation, async () => {
    let count = 0;
    for await (const page of paginateQuery(
      { client: ctx.doc },
      { TableName: ctx.tableName, ...input, Select: 'COUNT' },
    )) {
      count += page.Count ?? 0;
    }
    return count;
  });

/** One page of a scan, resumed from an opaque cursor; the cursor of the next page when there is one. */
export const scanPage = async (
  ctx: TableContext,
  input: Omit<ScanCommandInput, 'TableName' | 'ExclusiveStartKey'>,
  cursor: string | undefined,
  operation = 'scan',
): Promise<{ items: Record<string, unknown>[]; cursor?: string }> =>
  tableCall(operation, async () => {
    const page = await ctx.doc.send(
      new ScanCommand({
        TableName: ctx.tableName,
        ...input,
        ...(cursor ? { ExclusiveStartKey: decodeCursor(cursor) } : {}),
      }),
    );
    return {
      items: page.Items ?? [],
      ...(page.LastEvaluatedKey ? { cursor: encodeCursor(page.LastEvaluatedKey) } : {}),
    };
  });

/** An opaque, URL-safe cursor for any JSON value (a LastEvaluatedKey, a shard and key...). */
export const encodeCursor = (value: unknown): string =>
  Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

export const decodeCursor = <T = Record<string, unknown>>(cursor: string): T =>
  JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as T;
