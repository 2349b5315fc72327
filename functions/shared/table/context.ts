/**
 * The migration table's context and key layout. Everything under `functions/shared/table/` owns
 * one kind of item; nothing outside this folder imports `@aws-sdk/lib-dynamodb` (eslint
 * `no-restricted-imports`), so every read and write of the table goes through these modules.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbClient } from '../clients';
import type { Clock } from '../clock';
import type { MigrationConfig } from '../config';

/** What every migration-table repository needs. */
export interface TableContext {
  doc: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
}

/** A DynamoDB document client for the migration table; undefined attributes are dropped, not rejected. */
export const createDocumentClient = (config: MigrationConfig): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(createDynamoDbClient(config), {
    marshallOptions: { removeUndefinedValues: true },
  });

/** The table context a handler builds once from its config. */
export const createTableContext = (config: MigrationConfig, clock: Clock): TableContext => ({
  doc: createDocumentClient(config),
  tableName: config.tableName,
  clock,
});

export const userKey = (username: string) => ({ pk: `USER#${username}`, sk: 'USER' });
export const GROUPS_PK = 'GROUPS';
export const groupKey = (name: string) => ({ pk: GROUPS_PK, sk: `GROUP#${name}` });
export const loginKeyPk = (value: string) => `LOGIN#${value.toLowerCase()}`;
export const runKey = (runId: string) => ({ pk: `RUN#${runId}`, sk: 'RUN' });
export const COUNTERS_KEY = { pk: 'PROGRESS', sk: 'COUNTERS' } as const;
export const hourKey = (epochMs: number) => ({ pk: 'PROGRESS', sk: `HOUR#${hourBucket(epochMs)}` });

/** `2026112213` for 2026-11-22T13:xx UTC: sortable, one item per hour. */
export const hourBucket = (epochMs: number): string =>
  new Date(epochMs).toISOString().slice(0, 13).replace(/[-T]/g, '');

/** The status-index shard of a user: the first hex digit of its source sub (sub is a UUID). */
export const statusShard = (sub: string | undefined): string => {
  const first = (sub ?? '').charAt(0).toLowerCase();
  return /[0-9a-f]/.test(first) ? first : '0';
};

export const statusKey = (status: string, sub: string | undefined): string => `${status}#${statusShard(sub)}`;
