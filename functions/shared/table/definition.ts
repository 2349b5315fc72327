/**
 * The migration table, declared once: CDK, local/ and the tests all build it from this.
 *
 * Single-table layout (pk / sk):
 * - `USER#<sourceUsername>` / `USER`            snapshot + migration record of one source user
 * - `LOGIN#<lowercased key>` / `USER#<username>` login-key items; >1 item under one pk = ambiguous
 * - `GROUPS` / `GROUP#<name>`                    a source group (one partition: ≤ 10,000 per pool)
 * - `RUN#<runId>` / `RUN` | `SHARD#<p>` | `MEMBERS#<group>`  bulk-sync run record and checkpoints
 * - `PROGRESS` / `COUNTERS` | `HOUR#<yyyymmddhh>`  counters per status; migrations per hour
 *
 * The `byStatus` index is sparse: only user items carry `statusKey`. Its partition key is the
 * status plus a hex shard (`PENDING#a`), because one partition per status would take every
 * write of a bulk sync (≈1,000 writes/s) and throttle; listing a status queries 16 partitions.
 */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

export const STATUS_INDEX = {
  indexName: 'byStatus',
  partitionKey: 'statusKey',
  sortKey: 'username',
} as const;

export interface AttributeDef {
  name: string;
  type: 'S' | 'N';
}

export interface IndexDef {
  indexName: string;
  partitionKey: AttributeDef;
  sortKey: AttributeDef;
  projection: 'ALL' | 'KEYS_ONLY';
}

export interface TableDefinition {
  partitionKey: AttributeDef;
  sortKey: AttributeDef;
  globalSecondaryIndexes: IndexDef[];
  billingMode: 'PAY_PER_REQUEST';
}

export const MIGRATION_TABLE: TableDefinition = {
  partitionKey: { name: TABLE_KEYS.partitionKey, type: 'S' },
  sortKey: { name: TABLE_KEYS.sortKey, type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: STATUS_INDEX.indexName,
      partitionKey: { name: STATUS_INDEX.partitionKey, type: 'S' },
      sortKey: { name: STATUS_INDEX.sortKey, type: 'S' },
      projection: 'ALL',
    },
  ],
  billingMode: 'PAY_PER_REQUEST',
};

/** Shards of the status index: one hex digit. */
export const STATUS_SHARDS = '0123456789abcdef'.split('');

/** The CreateTable input for the migration table (used by local/ and tests; CDK maps the same definition). */
export const createTableInput = (tableName: string) => {
  const attributes = new Map<string, AttributeDef>();
  for (const def of [
    MIGRATION_TABLE.partitionKey,
    MIGRATION_TABLE.sortKey,
    ...MIGRATION_TABLE.globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ]) {
    attributes.set(def.name, def);
  }
  return {
    TableName: tableName,
    BillingMode: MIGRATION_TABLE.billingMode,
    AttributeDefinitions: [...attributes.values()].map((a) => ({
      AttributeName: a.name,
      AttributeType: a.type,
    })),
    KeySchema: [
      { AttributeName: MIGRATION_TABLE.partitionKey.name, KeyType: 'HASH' as const },
      { AttributeName: MIGRATION_TABLE.sortKey.name, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: MIGRATION_TABLE.globalSecondaryIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey.name, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: index.projection },
    })),
  };
};
