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

/**
 * Markers the reset campaign writes on a record before each target call whose repetition could
 * hurt (ISO timestamps). `campaignId` names the campaign that wrote the latest one, for whoever
 * has to look at a user left in between.
 */
export interface CampaignMarkers {
  /** Written once, before AdminCreateUser: a target user appearing after it is the campaign's own. */
  createRequestedAt?: string;
  /** Held by one campaign at a time, before AdminSetUserPassword; never written once a reset was requested. */
  passwordSetRequestedAt?: string;
  /** Written once, before AdminResetUserPassword: whoever writes it is the only one to send a code. */
  resetRequestedAt?: string;
  campaignId?: string;
}

export type CampaignMarker = Exclude<keyof CampaignMarkers, 'campaignId'>;

export interface SetMarkerOptions {
  /** The campaign writing it (recorded in `campaignId`). */
  campaignId?: string;
  /** Take the marker over from a holder that stopped: the write succeeds only while it still holds this value. */
  replacing?: string;
  /** Refuse the write when this marker exists (e.g. no new password once a reset was requested). */
  unless?: CampaignMarker;
}

/**
 * Writes a campaign marker before a call that must not be repeated, on condition that the user is
 * still CAMPAIGN_ELIGIBLE (FLAGGED_FOR_RESET) and the marker is new (or still `replacing`). Returns
 * the value written, to clear it by; undefined means a sign-in or another campaign got there first.
 */
export const setMarker = async (
  deps: { table: TableContext; clock: Clock },
  username: string,
  marker: CampaignMarker,
  options: SetMarkerOptions = {},
): Promise<string | undefined> => {
  const value = new Date(deps.clock.now()).toISOString();
  const names: Record<string, string> = { '#m': marker, '#status': 'status' };
  const values: Record<string, unknown> = { ':value': value, ...eligible.values };
  const conditions = [eligible.condition];
  const sets = ['#m = :value'];
  if (options.replacing) {
    conditions.push('#m = :old');
    values[':old'] = options.replacing;
  } else {
    conditions.push('attribute_not_exists(#m)');
  }
  if (options.unless) {
    conditions.push('attribute_not_exists(#unless)');
    names['#unless'] = options.unless;
  }
  if (options.campaignId) {
    sets.push('#campaign = :campaign');
    names['#campaign'] = 'campaignId';
    values[':campaign'] = options.campaignId;
  }
  const written = await conditionalWrite(() =>
    deps.table.doc.send(
      new UpdateCommand({
        TableName: deps.table.tableName,
        Key: userKey(username),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
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
  marker: CampaignMarker,
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
