import type { AttributeType, UserType } from '@aws-sdk/client-cognito-identity-provider';
import { keepsLegacySub, type TargetSchema } from '#shared/attribute-mapping';
import { findUsernamesByLoginKey } from '#shared/table/login-keys';
import type { CampaignMarkers } from '#shared/table/campaign-markers';
import { publishIfDue } from '#shared/migration-events';
import { getUser, recordMigrated, type UserRecord } from '#shared/table/users';
import type { ReconcileDeps } from './deps';

/** A target pool user as ListUsers or AdminGetUser describes it. */
export interface TargetUser {
  username: string;
  attributes: Record<string, string>;
  status?: string;
  enabled?: boolean;
}

export const toTargetUser = (
  username: string | undefined,
  attributes: AttributeType[] | undefined,
  status?: string,
  enabled?: boolean,
): TargetUser => ({
  username: username ?? '',
  attributes: Object.fromEntries((attributes ?? []).map((a) => [a.Name ?? '', a.Value ?? ''])),
  ...(status ? { status } : {}),
  ...(enabled !== undefined ? { enabled } : {}),
});

export const fromListedUser = (user: UserType): TargetUser =>
  toTargetUser(user.Username, user.Attributes, user.UserStatus, user.Enabled);

/**
 * True when the target user is this source user. The legacy sub decides: a same-named user with
 * another legacy sub is someone else, and so is one with none in a target that keeps legacy subs —
 * every user a migration creates there carries it, so only a sign-up lacks it (a stranger who took
 * the name while the source user was out of scope, or before the source user existed). Binding
 * such a stranger would hand applications a sub map entry from the source user to them. Only a
 * target that keeps no legacy sub leaves the name to decide.
 */
export const isSameUser = (
  record: Pick<UserRecord, 'sub'>,
  target: TargetUser,
  deps: ReconcileDeps,
  schema: TargetSchema,
): boolean => {
  const attribute = deps.config.attributeMap.legacySubAttribute;
  const legacySub = attribute ? target.attributes[attribute] : undefined;
  if (legacySub !== undefined) return legacySub === record.sub;
  return !keepsLegacySub(schema, deps.config.attributeMap);
};

/**
 * Finds the source user's record for a target user: by username first (the trigger keeps it),
 * then through the login keys (a case-insensitive target, or an email-as-username pool, stores
 * another spelling), checked against the legacy sub.
 */
export const findRecordFor = async (
  target: TargetUser,
  deps: ReconcileDeps,
): Promise<UserRecord | undefined> => {
  const direct = await getUser(deps.table, target.username);
  if (direct && isSameUser(direct, target, deps, await deps.targetSchema())) return direct;
  const typed = [target.username, target.attributes.email, target.attributes.phone_number].filter(
    (value): value is string => Boolean(value),
  );
  for (const key of typed) {
    for (const username of await findUsernamesByLoginKey(deps.table, key)) {
      const record = await getUser(deps.table, username);
      // Without a legacy sub a login-key match is only a guess; leave it to the campaign.
      const attribute = deps.config.attributeMap.legacySubAttribute;
      if (record && attribute && target.attributes[attribute] === record.sub) return record;
    }
  }
  return undefined;
};

/** A record the reconciler may repair: a migration nobody recorded, not one the campaign is making. */
export const isRepairable = (record: UserRecord): boolean =>
  record.status === 'PENDING' ||
  (record.status === 'FLAGGED_FOR_RESET' && !(record as CampaignMarkers).createRequestedAt);

/** Records a migration that happened without being recorded. Returns true when this call counted it. */
export const repairRecord = async (record: UserRecord, target: TargetUser, deps: ReconcileDeps) => {
  const result = await recordMigrated(deps.table, record.username, {
    method: 'reconciled',
    targetUsername: target.username,
    sub: record.sub,
    ...(target.attributes.sub ? { targetSub: target.attributes.sub } : {}),
  });
  await publishIfDue(result.record, deps);
  if (result.changed) {
    deps.logger.info('unrecorded migration repaired', {
      reason: 'found-in-target',
      username: record.username,
    });
  }
  return result.changed;
};
