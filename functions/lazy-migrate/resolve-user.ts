import type { AppLogger } from '#shared/logger';
import { findUsernamesByLoginKey } from '#shared/table/login-keys';
import type { TableContext } from '#shared/table/context';
import { getUser, type UserRecord } from '#shared/table/users';
import { refuse } from './refusal';

/** The one source user a typed login name means, and their table record when there is one. */
export interface ResolvedUser {
  sourceUsername: string;
  record?: UserRecord;
}

/**
 * Resolves what the user typed (username, email, phone or preferred_username, any case) to one
 * source username through the snapshot's login keys. No entry → the typed name itself (the user
 * may postdate the export; the source pool resolves it). Two or more → AMBIGUOUS_USER: trying
 * the password against each candidate could sign someone into another person's account.
 * A table that cannot be read also falls back to the typed name: the source pool then decides,
 * which is never ambiguous, and a table outage does not block every sign-in.
 */
export const resolveSourceUser = async (
  table: TableContext,
  typed: string,
  logger: AppLogger,
): Promise<ResolvedUser> => {
  let candidates: string[];
  try {
    candidates = await findUsernamesByLoginKey(table, typed);
  } catch (error) {
    logger.warn('login key lookup failed; using the typed name', {
      reason: 'LOGIN_KEY_LOOKUP_FAILED',
      error: (error as Error).name,
    });
    return { sourceUsername: typed };
  }
  if (candidates.length > 1) return refuse('AMBIGUOUS_USER', `${candidates.length} source users`);
  const sourceUsername = candidates[0] ?? typed;
  const record = await getUser(table, sourceUsername).catch(() => undefined);
  return { sourceUsername, ...(record ? { record } : {}) };
};
