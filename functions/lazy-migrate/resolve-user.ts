import type { AppLogger } from '#shared/logger';
import { findUsernamesByLoginKey } from '#shared/table/login-keys';
import type { TableContext } from '#shared/table/context';
import { getUser, type UserRecord } from '#shared/table/users';
import { refuse } from './refusal';

/** How a typed name matched a snapshot user. */
export type MatchKind = 'username' | 'email' | 'phone_number' | 'preferred_username';

/** The one source user a typed login name means per the snapshot, and their record. */
export interface ResolvedUser {
  /** The name to hand the source: a source username, or the typed name when the snapshot has none. */
  sourceUsername: string;
  record?: UserRecord;
  /** How the typed name matched; absent when the snapshot does not know it. */
  matchedBy?: MatchKind;
}

const VERIFIED_FLAG = { email: 'email_verified', phone_number: 'phone_number_verified' } as const;

/**
 * How `typed` is a sign-in key of a snapshot user, if it is one. As in Cognito, an email or phone
 * number is a key only while verified: an unverified copy on another account is nobody's key.
 */
export const matchKind = (
  user: Pick<UserRecord, 'username' | 'attributes'>,
  typed: string,
): MatchKind | undefined => {
  const folded = typed.toLowerCase();
  if (user.username.toLowerCase() === folded) return 'username';
  for (const kind of ['email', 'phone_number'] as const) {
    const value = user.attributes[kind];
    if (value?.toLowerCase() === folded && user.attributes[VERIFIED_FLAG[kind]] === 'true') return kind;
  }
  if (user.attributes.preferred_username?.toLowerCase() === folded) return 'preferred_username';
  return undefined;
};

/** The kind of sign-in key a name the snapshot does not know looks like. */
export const aliasKindOf = (typed: string): 'email' | 'phone_number' | undefined =>
  typed.includes('@') ? 'email' : /^\+\d{4,15}$/.test(typed) ? 'phone_number' : undefined;

/**
 * Resolves what the user typed (username, email, phone or preferred_username, any case) to one
 * source user through the snapshot's login keys, keeping only candidates for whom the name is a
 * real sign-in key today (username, verified email/phone, preferred_username). A username match
 * wins over an alias match, the exact case over another case. Two usernames differing only in
 * case, neither typed exactly → AMBIGUOUS_USER: trying the password against each could sign
 * someone into another person's account. Several alias holders (a stale snapshot: Cognito lets
 * only one user hold a verified alias) or none → the caller asks the source.
 * A table that cannot be read also falls back to the typed name: the source then decides.
 */
export const resolveSourceUser = async (
  table: TableContext,
  typed: string,
  logger: AppLogger,
): Promise<ResolvedUser> => {
  let records: UserRecord[];
  try {
    const usernames = await findUsernamesByLoginKey(table, typed);
    records = (await Promise.all(usernames.map((name) => getUser(table, name)))).filter(
      (record): record is UserRecord => record !== undefined,
    );
  } catch (error) {
    logger.warn('login key lookup failed; using the typed name', {
      reason: 'LOGIN_KEY_LOOKUP_FAILED',
      error: (error as Error).name,
    });
    return { sourceUsername: typed };
  }
  const matches = records
    .map((record) => ({ record, kind: matchKind(record, typed) }))
    .filter((m): m is { record: UserRecord; kind: MatchKind } => m.kind !== undefined);
  const byUsername = matches.filter((m) => m.kind === 'username');
  if (byUsername.length > 0) {
    const exact = byUsername.find((m) => m.record.username === typed);
    const chosen = exact ?? (byUsername.length === 1 ? byUsername[0] : undefined);
    if (!chosen) return refuse('AMBIGUOUS_USER', `${byUsername.length} source users`);
    return { sourceUsername: chosen.record.username, record: chosen.record, matchedBy: 'username' };
  }
  if (matches.length === 1) {
    const [only] = matches;
    return { sourceUsername: only!.record.username, record: only!.record, matchedBy: only!.kind };
  }
  return { sourceUsername: typed };
};
