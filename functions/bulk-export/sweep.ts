import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { TableUnavailableError } from '#shared/errors';
import type { MigrationStatus } from '#shared/migration-status';
import type { TableContext } from '#shared/table-context';

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

const encode = (key: Record<string, unknown>) =>
  Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
const decode = (cursor: string) =>
  JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;

/**
 * One page of user items, read from the base table. A Scan, not the status index: a user whose
 * status changes during the sweep (a sign-in migrating it) moves between index partitions and
 * could be read twice or not at all, while in the base table it stays where it is.
 */
export const scanUsers = async (table: TableContext, cursor: string | undefined): Promise<SweepPage> => {
  try {
    const page = await table.doc.send(
      new ScanCommand({
        TableName: table.tableName,
        FilterExpression: 'sk = :user',
        ProjectionExpression: 'username, #status, lastRunId, deletedByRunId',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':user': 'USER' },
        ConsistentRead: true,
        ...(cursor ? { ExclusiveStartKey: decode(cursor) } : {}),
      }),
    );
    return {
      users: (page.Items ?? []) as SweptUser[],
      ...(page.LastEvaluatedKey ? { cursor: encode(page.LastEvaluatedKey) } : {}),
    };
  } catch (error) {
    throw new TableUnavailableError(`Migration table scan failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
};
