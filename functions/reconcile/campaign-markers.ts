import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { userKey } from '#shared/table-context';
import type { ReconcileDeps } from './deps';
import type { CampaignMarkers } from './target-match';

/**
 * Writes a campaign marker before a call that must not be repeated, on condition that the user is
 * still FLAGGED_FOR_RESET and the marker is new. Returns the value written, to clear it by; undefined
 * means a sign-in or another run got there first.
 */
export const setMarker = async (
  deps: Pick<ReconcileDeps, 'table' | 'clock'>,
  username: string,
  marker: keyof CampaignMarkers,
): Promise<string | undefined> => {
  const value = new Date(deps.clock.now()).toISOString();
  try {
    await deps.table.doc.send(
      new UpdateCommand({
        TableName: deps.table.tableName,
        Key: userKey(username),
        UpdateExpression: 'SET #m = :value',
        ConditionExpression: '#status = :flagged AND attribute_not_exists(#m)',
        ExpressionAttributeNames: { '#m': marker, '#status': 'status' },
        ExpressionAttributeValues: { ':value': value, ':flagged': 'FLAGGED_FOR_RESET' },
      }),
    );
    return value;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
};

/**
 * Removes a marker this run wrote, once the call it guarded is proven not to have been applied, so
 * a rerun makes the call instead of taking the marker for a call that may have landed. Conditional
 * on the marker still holding `value` and the user still being FLAGGED_FOR_RESET: a record someone
 * else moved on is left as they left it. Returns whether it removed the marker.
 */
export const clearMarker = async (
  deps: Pick<ReconcileDeps, 'table'>,
  username: string,
  marker: keyof CampaignMarkers,
  value: string,
): Promise<boolean> => {
  try {
    await deps.table.doc.send(
      new UpdateCommand({
        TableName: deps.table.tableName,
        Key: userKey(username),
        UpdateExpression: 'REMOVE #m',
        ConditionExpression: '#status = :flagged AND #m = :value',
        ExpressionAttributeNames: { '#m': marker, '#status': 'status' },
        ExpressionAttributeValues: { ':value': value, ':flagged': 'FLAGGED_FOR_RESET' },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};
