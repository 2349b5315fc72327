import { findUsernamesByLoginKey } from '#shared/table/login-keys';
import type { TableContext } from '#shared/table/context';
import { getUser, type UserRecord } from '#shared/table/users';

/**
 * Attributes Cognito may have generated the username from (email/phone as username). Only these
 * are searched: in such a pool they are unique, so nobody else can hold the recorded value.
 */
const USERNAME_ATTRIBUTES = ['email', 'phone_number'] as const;

export interface TargetUserIdentity {
  /** `userName` of the trigger event: the user's name in the target pool. */
  targetUsername: string;
  /** `request.userAttributes` of the trigger event (Cognito's copy; `sub` is the target user's). */
  userAttributes: Readonly<Record<string, string | undefined>>;
}

/**
 * True when the record's migration created (or the reset campaign created) this very target user.
 * The binding is what the migrator itself recorded — the target username Cognito was told to use,
 * or for an email/phone-as-username pool the value given for that attribute — and, once seen, the
 * target user's `sub`. Never an attribute an app client can write alone (`custom:legacy_sub` is a
 * copy of the source sub for applications; a stranger may set it on a pool whose clients allow it):
 * before the first binding the legacy sub the migration gave is required as well, never enough.
 */
export const isBoundTo = (record: UserRecord, identity: TargetUserIdentity): boolean => {
  const sub = identity.userAttributes.sub;
  if (record.targetSub) return record.targetSub === sub;
  // Before the first binding, the name alone is not enough: a stranger may hold it (one who signed
  // up while the user was out of scope, or after a migration Cognito never completed). The user the
  // migration created carries the source sub it was given; a stranger without it gets no sub map
  // entry and no groups.
  if (record.legacySubAttribute && identity.userAttributes[record.legacySubAttribute] !== record.sub) {
    return false;
  }
  if (record.targetUsernameAttribute) {
    return identity.userAttributes[record.targetUsernameAttribute] === record.targetUsername;
  }
  return (record.targetUsername ?? record.username) === identity.targetUsername;
};

/**
 * Finds the migration record bound to a target-pool user. The record is keyed by the source
 * username, which is the target username whenever the pool has usernames (lazy-migrate names the
 * new user after the source's canonical username), so that is one GetItem. In an
 * email/phone-as-username pool Cognito generates the username; then the record is found through
 * the login key of that attribute's value. Every candidate must pass `isBoundTo`: a record that
 * merely shares an email, phone or attribute value with the user is someone else's.
 */
export const findUserRecord = async (
  ctx: TableContext,
  identity: TargetUserIdentity,
): Promise<UserRecord | undefined> => {
  const direct = await getUser(ctx, identity.targetUsername);
  if (direct && isBoundTo(direct, identity)) return direct;

  // Cognito names the user after its sub only when it generates the username (email/phone as username).
  if (identity.targetUsername !== identity.userAttributes.sub) return undefined;
  const tried = new Set<string>([identity.targetUsername]);
  for (const name of USERNAME_ATTRIBUTES) {
    const value = identity.userAttributes[name];
    if (!value) continue;
    for (const username of await findUsernamesByLoginKey(ctx, value)) {
      if (tried.has(username)) continue;
      tried.add(username);
      const record = await getUser(ctx, username);
      if (record?.targetUsernameAttribute && isBoundTo(record, identity)) return record;
    }
  }
  return undefined;
};
