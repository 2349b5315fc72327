import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../clock';
import { userKey, type TableContext } from './context';
import { conditionalWrite } from './errors';
import { CAMPAIGN_ELIGIBLE } from './status';

/** `#status IN (...)` over CAMPAIGN_ELIGIBLE, with its values. */
const eligible = {
  condition: `#status IN (${CAMPAIGN_ELIGIBLE.map((_, i) => `:e${i}`).join(', ')})`,
  values: Object.fromEntries(CAMPAIGN_ELIGIBLE.map((status, i) => [`:e${i}`, status])),
};

/** Markers the reset campaign writes on a record before each call it must not repeat. */
export interface CampaignMarkers {
  createRequestedAt?: string;
  resetRequestedAt?: string;
}

/**
 * Writes a campaign marker before a call that must not be repeated, on condition that the user is
 * still CAMPAIGN_ELIGIBLE (FLAGGED_FOR_RESET) and the marker is new. Returns the value written, to clear it by; undefined
 * means a sign-in or another run got there first.
 */
export const setMarker = async (
  deps: { table: TableContext; clock: Clock },
  username: string,
  marker: keyof CampaignMarkers,
): Promise<string | undefined> => {
  const value = new Date(deps.clock.now()).toISOString();
  const written = await conditionalWrite(() =>
    deps.table.doc.send(
      new UpdateCommand({
        TableName: deps.table.tableName,
        Key: userKey(username),
        UpdateExpression: 'SET #m = :value',
        ConditionExpression: `${eligible.condition} AND attribute_not_exists(#m)`,
        ExpressionAttributeNames: { '#m': marker, '#status': 'status' },
        ExpressionAttributeValues: { ':value': value, ...eligible.values },
      }),
    ),
  );
  return written ? value : undefined;
};

/**
 * Removes a marker this run wrote, once the call it guarded is proven not to have been applied, so
 * a rerun makes the call instead of taking the marker for a call that may have landed. Conditional
 * on the marker still holding `value` and the user still being FLAGGED_FOR_RESET: a record someone
 * else moved on is left as they left it. Returns whether it removed the marker.
 */
export const clearMarker = async (
  deps: { table: TableContext },
  username: string,
  marker: keyof CampaignMarkers,
  value: string,
): Promise<boolean> =>
  conditionalWrite(() =>
    deps.table.doc.send(
      new UpdateCommand({
        TableName: deps.table.tableName,
        Key: userKey(username),
        UpdateExpression: 'REMOVE #m',
        ConditionExpression: `${eligible.condition} AND #m = :value`,
        ExpressionAttributeNames: { '#m': marker, '#status': 'status' },
        ExpressionAttributeValues: { ':value': value, ...eligible.values },
      }),
    ),
  );
