/**
 * What the status index costs per 1M users, from the items the code really writes: one
 * representative user is snapshotted into dynalite through the table module, then its table item
 * and its index entry are read back raw and sized by DynamoDB's rules (attribute names + values;
 * +100 bytes per index entry). Prints read units of one recount (eventually consistent COUNT
 * queries over the index) and write units the index takes per status change, with the index
 * projecting ALL versus STATUS_INDEX_ATTRIBUTES.
 * Run: npx tsx bench/status-index-cost.bench.ts
 */
import { GetItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock } from '#shared/clock';
import { STATUS_INDEX, STATUS_INDEX_ATTRIBUTES, TABLE_KEYS } from '#shared/table/definition';
import { addUserGroups, upsertSnapshot } from '#shared/table/users';
import { startLocalDynamo } from '#local/dynamodb/index';

const USERS = 1_000_000;

/** DynamoDB's size of one attribute value (strings UTF-8, numbers ~ digits/2 + 1, maps/lists 3 + 1 per element). */
const valueSize = (value: AttributeValue): number => {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/[-.]/g, '').length / 2) + 1;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (value.M)
    return (
      3 + Object.entries(value.M).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + valueSize(v) + 1, 0)
    );
  if (value.L) return 3 + value.L.reduce((sum, v) => sum + valueSize(v) + 1, 0);
  return 0;
};
const itemSize = (item: Record<string, AttributeValue>): number =>
  Object.entries(item).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + valueSize(v), 0);

const main = async () => {
  const dynamo = await startLocalDynamo();
  try {
    const tableName = 'cost';
    await dynamo.createMigrationTable(tableName);
    const ctx = {
      doc: DynamoDBDocumentClient.from(dynamo.client, { marshallOptions: { removeUndefinedValues: true } }),
      tableName,
      clock: systemClock,
    };
    const username = 'c3a1e4b2-5f6d-4e7a-9b8c-0d1e2f3a4b5c';
    await upsertSnapshot(
      ctx,
      {
        username,
        sub: username,
        attributes: {
          sub: username,
          email: 'jane.doe@example.com',
          email_verified: 'true',
          phone_number: '+447700900123',
          phone_number_verified: 'false',
          given_name: 'Jane',
          family_name: 'Doe',
          name: 'Jane Doe',
          locale: 'en-GB',
          'custom:tenant': 'acme-eu',
        },
        userStatus: 'CONFIRMED',
        enabled: true,
        createdAt: '2024-03-01T10:00:00.000Z',
        modifiedAt: '2025-11-20T08:30:00.000Z',
      },
      { runId: '2026-11-28T07-00-00-abcdef', shard: '7' },
    );
    await addUserGroups(ctx, username, ['customers', 'newsletter']);
    const { Item: item = {} } = await dynamo.client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: `USER#${username}` }, sk: { S: 'USER' } } }),
    );
    const { Items: [entry = {}] = [] } = await dynamo.client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: STATUS_INDEX.indexName,
        KeyConditionExpression: '#k = :k',
        ExpressionAttributeNames: { '#k': STATUS_INDEX.partitionKey },
        ExpressionAttributeValues: { ':k': { S: String(item.statusKey?.S) } },
      }),
    );
    const keep = new Set<string>([
      TABLE_KEYS.partitionKey,
      TABLE_KEYS.sortKey,
      STATUS_INDEX.partitionKey,
      STATUS_INDEX.sortKey,
      ...STATUS_INDEX_ATTRIBUTES,
    ]);
    const projected = Object.fromEntries(Object.entries(entry).filter(([k]) => keep.has(k)));
    const rows = [
      ['ALL (before)', itemSize(item) + 100],
      ['INCLUDE status, enabled, userStatus, reason', itemSize(projected) + 100],
    ] as const;
    console.log(
      `table item: ${itemSize(item)} B; index entry attributes: ${Object.keys(projected).sort().join(', ')}`,
    );
    for (const [name, bytes] of rows) {
      // A COUNT query is billed on the bytes it reads, 4 KB per unit, halved when eventually consistent.
      const recountRcu = Math.ceil((USERS * bytes) / 4096) / 2;
      // Each index write costs ceil(size / 1 KB); a status change moves the entry (delete + put).
      const wcuPerWrite = Math.ceil(bytes / 1024);
      console.log(
        `${name.padEnd(44)} entry ${String(bytes).padStart(5)} B  recount ${recountRcu.toLocaleString('en')} RCU` +
          `  index WCU: snapshot ${(USERS * wcuPerWrite).toLocaleString('en')}, per status change ${1 + wcuPerWrite}`,
      );
    }
  } finally {
    await dynamo.close();
  }
};

void main();
