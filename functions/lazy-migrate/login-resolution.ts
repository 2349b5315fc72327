import { getUser } from '#shared/table/users';
import type { Deadline } from './deadline';
import type { LazyMigrateDeps } from './deps';
import { aliasKindOf, resolveSourceUser, type ResolvedUser } from './resolve-user';
import { findSourceUsernameByAlias } from './source-lookup';

const withRecord = async (deps: LazyMigrateDeps, sourceUsername: string): Promise<ResolvedUser> => {
  const record = await getUser(deps.table, sourceUsername).catch(() => undefined);
  return { sourceUsername, ...(record ? { record } : {}) };
};

/**
 * The source user a typed name means: the snapshot's answer when it has one; otherwise, for an
 * email or phone number the snapshot does not know (changed after the sync, or held by several
 * snapshot users), the source's own answer (one ListUsers). A plain name the snapshot does not
 * know goes to the source as typed: AdminInitiateAuth resolves usernames itself, and the source's
 * answer then names the canonical user. A retired source is never asked.
 */
export const resolveLogin = async (
  deps: LazyMigrateDeps,
  typed: string,
  deadline: Deadline,
): Promise<ResolvedUser> => {
  const resolved = await resolveSourceUser(deps.table, typed, deps.logger);
  if (resolved.matchedBy || deps.config.source.retired) return resolved;
  const kind = aliasKindOf(typed);
  if (!kind) return resolved;
  const holder = await findSourceUsernameByAlias(
    deps.source,
    deps.config.source.userPoolId,
    kind,
    typed,
    deadline.signal,
    deps.config.migrationScope,
  );
  return holder ? withRecord(deps, holder) : resolved;
};

/**
 * When the snapshot resolved an email or phone to a user the source no longer agrees with (the
 * address moved to another source user after the sync), the source's current verified holder;
 * undefined when it is the same user, nobody, or the match was not by such an alias.
 */
export const resolveMovedAlias = async (
  deps: LazyMigrateDeps,
  resolved: ResolvedUser,
  deadline: Deadline,
): Promise<ResolvedUser | undefined> => {
  const kind = resolved.matchedBy;
  if ((kind !== 'email' && kind !== 'phone_number') || !resolved.record || deps.config.source.retired) {
    return undefined;
  }
  const value = resolved.record.attributes[kind];
  if (!value) return undefined;
  const holder = await findSourceUsernameByAlias(
    deps.source,
    deps.config.source.userPoolId,
    kind,
    value,
    deadline.signal,
    deps.config.migrationScope,
  );
  if (!holder || holder === resolved.sourceUsername) return undefined;
  deps.logger.info('login key moved to another source user since the sync', { reason: 'ALIAS_MOVED', kind });
  return withRecord(deps, holder);
};
