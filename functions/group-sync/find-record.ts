import { findUsernamesByLoginKey } from '#shared/table/login-keys';
import type { TableContext } from '#shared/table/context';
import { getUser, type UserRecord } from '#shared/table/users';

/** The sign-in attributes lazy-migrate may have named the target user after (a login key each). */
const LOGIN_ATTRIBUTES = ['email', 'phone_number', 'preferred_username'] as const;

export interface TargetUserIdentity {
  /** `userName` of the trigger event: the user's name in the target pool. */
  targetUsername: string;
  /** `request.userAttributes` of the trigger event. */
  userAttributes: Readonly<Record<string, string | undefined>>;
  /** `config.attributeMap.legacySubAttribute`; null when the target keeps no legacy sub. */
  legacySubAttribute: string | null;
}

/**
 * The record belongs to the target user when the legacy sub the migration wrote into the target
 * matches the source sub (the strongest evidence), otherwise when the recorded target username is
 * the event's.
 */
const belongsTo = (
  record: UserRecord,
  identity: TargetUserIdentity,
  legacySub: string | undefined,
): boolean =>
  legacySub && record.sub
    ? record.sub === legacySub
    : (record.targetUsername ?? record.username) === identity.targetUsername;

/**
 * Finds the migration record of a target-pool user. The record is keyed by the source username,
 * which is the target username in the common case (lazy-migrate names the new user after the
 * source user), so that is one GetItem. The target name differs when the target pool uses
 * email/phone as username (Cognito generates a UUID) or differs only in case; then the record
 * is found through the login keys of the name and the sign-in attributes, and confirmed by the
 * legacy sub. That second path runs only for users who carry a legacy sub (migrated users), or
 * when the target keeps none, so a native target user costs one GetItem.
 */
export const findUserRecord = async (
  ctx: TableContext,
  identity: TargetUserIdentity,
): Promise<UserRecord | undefined> => {
  const legacySub = identity.legacySubAttribute
    ? identity.userAttributes[identity.legacySubAttribute] || undefined
    : undefined;
  const direct = await getUser(ctx, identity.targetUsername);
  if (direct && belongsTo(direct, identity, legacySub)) return direct;
  if (!legacySub && identity.legacySubAttribute) return undefined;

  const keys = new Set<string>([identity.targetUsername.toLowerCase()]);
  for (const name of LOGIN_ATTRIBUTES) {
    const value = identity.userAttributes[name];
    if (value) keys.add(value.toLowerCase());
  }
  const tried = new Set<string>([identity.targetUsername]);
  for (const key of keys) {
    for (const username of await findUsernamesByLoginKey(ctx, key)) {
      if (tried.has(username)) continue;
      tried.add(username);
      const record = await getUser(ctx, username);
      if (record && belongsTo(record, identity, legacySub)) return record;
    }
  }
  return undefined;
};
