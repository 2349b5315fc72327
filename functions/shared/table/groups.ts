import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { GROUPS_PK, groupKey, type TableContext } from './context';
import { queryAll } from './pagination';

/** A source group as the snapshot keeps it. */
export interface GroupRecord {
  groupName: string;
  description?: string;
  precedence?: number;
  /** The source group's role ARN; it maps to a target role only through `groupRoleArnMap`. */
  sourceRoleArn?: string;
}

export const putGroup = async (ctx: TableContext, group: GroupRecord): Promise<void> => {
  await ctx.doc.send(
    new PutCommand({
      TableName: ctx.tableName,
      Item: { ...groupKey(group.groupName), ...group, updatedAt: new Date(ctx.clock.now()).toISOString() },
    }),
  );
};

export const getGroup = async (ctx: TableContext, groupName: string): Promise<GroupRecord | undefined> => {
  const { Item } = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: groupKey(groupName) }));
  if (!Item) return undefined;
  const { pk: _pk, sk: _sk, updatedAt: _updatedAt, ...group } = Item;
  return group as GroupRecord;
};

/** Every group of the snapshot, from their one partition. */
export const listGroups = async (ctx: TableContext): Promise<GroupRecord[]> => {
  const items = await queryAll(ctx, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': GROUPS_PK },
  });
  const groups = items.map(
    ({ pk: _pk, sk: _sk, updatedAt: _updatedAt, ...group }) => group as unknown as GroupRecord,
  );
  return groups.sort((a, b) => a.groupName.localeCompare(b.groupName));
};

/** The target role for a source group's role, or undefined when the map has none. */
export const mapGroupRole = (
  sourceRoleArn: string | undefined,
  roleArnMap: Readonly<Record<string, string>>,
): string | undefined => (sourceRoleArn ? roleArnMap[sourceRoleArn] : undefined);
