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

/**
 * The only non-key attributes the status index copies: what a status listing shows (stragglers'
 * summary columns), what flagging stragglers reads (`enabled`), and nothing the hourly recount
 * pays for (it only counts, and a COUNT query is billed by the size of the index entries it
 * reads). Readers that need the whole record (attributes, groups) ask for `full`, which reads
 * each item from the table. Sizes and costs per 1M users: README "The migration table".
 */
export const STATUS_INDEX_ATTRIBUTES = ['status', 'enabled', 'userStatus', 'reason'] as const;

/**
 * The migration-event outbox: a sparse index of the users whose `UserMigrated` event is owed and
 * not yet published (`table/migration-events.ts`). An item is in it from the write that moved it
 * into the target (MIGRATED, RESET_SENT) until the event is published, so a publisher that crashed
 * between its claim and PutEvents leaves the event here for the reconciler. Sharded like the status
 * index; sorted by claim time, so "claims older than five minutes" is a key condition.
 */
export const EVENT_OUTBOX_INDEX = {
  indexName: 'byEventOutbox',
  partitionKey: 'eventOutbox',
  sortKey: 'eventClaimedAt',
} as const;

/** What the outbox index copies: enough to tell an event ready to publish (its target sub known). */
export const EVENT_OUTBOX_ATTRIBUTES = ['username', 'targetSub'] as const;

export interface AttributeDef {
  name: string;
  type: 'S' | 'N';
}

export interface IndexDef {
  indexName: string;
  partitionKey: AttributeDef;
  sortKey: AttributeDef;
  /** 'ALL', 'KEYS_ONLY', or the non-key attributes an INCLUDE projection copies. */
  projection: 'ALL' | 'KEYS_ONLY' | { include: readonly string[] };
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
      projection: { include: STATUS_INDEX_ATTRIBUTES },
    },
    {
      indexName: EVENT_OUTBOX_INDEX.indexName,
      partitionKey: { name: EVENT_OUTBOX_INDEX.partitionKey, type: 'S' },
      sortKey: { name: EVENT_OUTBOX_INDEX.sortKey, type: 'S' },
      projection: { include: EVENT_OUTBOX_ATTRIBUTES },
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
      Projection:
        typeof index.projection === 'string'
          ? { ProjectionType: index.projection }
          : { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.projection.include] },
    })),
  };
};
