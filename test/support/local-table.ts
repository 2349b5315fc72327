import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock, type Clock } from '#shared/clock';
import type { TableContext } from '#shared/table/context';
import { startLocalDynamo, type LocalDynamo } from '#local/dynamodb/index';

/** A local DynamoDB (dynalite) for a test file; each `newTable` is a fresh migration table. */
export interface LocalTableHarness {
  dynamo: LocalDynamo;
  doc: DynamoDBDocumentClient;
  newTable(clock?: Clock): Promise<TableContext>;
  close(): Promise<void>;
}

export const startLocalTables = async (): Promise<LocalTableHarness> => {
  const dynamo = await startLocalDynamo();
  const doc = DynamoDBDocumentClient.from(dynamo.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    dynamo,
    doc,
    newTable: async (clock = systemClock) => {
      const tableName = `migration-${randomUUID().slice(0, 8)}`;
      await dynamo.createMigrationTable(tableName);
      return { doc, tableName, clock };
    },
    close: () => dynamo.close(),
  };
};
