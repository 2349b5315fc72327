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

/** What `useLocalTable` keeps current: the running dynalite, and this test's table and clock. */
export interface LocalTable<C extends Clock> {
  tables: LocalTableHarness;
  table: TableContext;
  clock: C;
}

/**
 * Registers the hooks most table tests repeat: one dynalite for the test file (started in
 * beforeAll, closed in afterAll) and, before each test, a fresh migration table on a new
 * `clock()`. Read `table` and `clock` from the returned object inside hooks and tests; a test
 * file's own beforeEach runs after this one's.
 */
export const useLocalTable = <C extends Clock = Clock>(
  clock: () => C = () => systemClock as C,
): LocalTable<C> => {
  const local = {} as LocalTable<C>;
  beforeAll(async () => {
    local.tables = await startLocalTables();
  });
  afterAll(() => local.tables.close());
  beforeEach(async () => {
    local.clock = clock();
    local.table = await local.tables.newTable(local.clock);
  });
  return local;
};
