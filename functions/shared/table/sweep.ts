import { ScanCommand, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from './context';
import { tableCall } from './errors';
import { decodeCursor, encodeCursor } from './pagination';
import type { MigrationStatus } from './status';
import { toRecord, type UserRecord } from './users';

/** The fields of a user item the Finish sweep needs. */
export interface SweptUser {
  username: string;
  status: MigrationStatus;
  lastRunId?: string;
  deletedByRunId?: string;
}

export interface SweepPage {
  users: SweptUser[];
  /** Opaque; absent when the scan is complete. */
  cursor?: string;
}

// Here, not in pagination.ts: only the Finish sweep scans, and the permissions test grants
// dynamodb:Scan to the functions whose reachable files send a ScanCommand.
const scanPage = async (
  ctx: TableContext,
  input: Omit<ScanCommandInput, 'TableName' | 'ExclusiveStartKey'>,
  cursor: string | undefined,
): Promise<{ items: Record<string, unknown>[]; cursor?: string }> => {
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
};

/**
 * One page of user items, read from the base table. A Scan, not the status index: a user whose
 * status changes during the sweep (a sign-in migrating it) moves between index partitions and
 * could be read twice or not at all, while in the base table it stays where it is.
 */
export const scanUsers = async (table: TableContext, cursor: string | undefined): Promise<SweepPage> => {
  const page = await tableCall('scan', () =>
    scanPage(
      table,
      {
        FilterExpression: 'sk = :user',
        ProjectionExpression: 'username, #status, lastRunId, deletedByRunId',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':user': 'USER' },
        ConsistentRead: true,
      },
      cursor,
    ),
  );
  return { users: page.items as unknown as SweptUser[], ...(page.cursor ? { cursor: page.cursor } : {}) };
};

/**
 * Every user's whole record in one pass over the table (consistent pages of a Scan), by username:
 * for a reader of every user (the demo's invariants), far fewer requests than a GetItem each.
 */
export const scanUserRecords = async (table: TableContext): Promise<Map<string, UserRecord>> => {
  const records = new Map<string, UserRecord>();
  let cursor: string | undefined;
  do {
    const page = await tableCall('scan', () =>
      scanPage(
        table,
        {
          FilterExpression: 'sk = :user',
          ExpressionAttributeValues: { ':user': 'USER' },
          ConsistentRead: true,
        },
        cursor,
      ),
    );
    for (const item of page.items) records.set(String(item.username), toRecord(item));
    cursor = page.cursor;
  } while (cursor);
  return records;
};
