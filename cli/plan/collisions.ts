import type { ScannedUser } from './scan';

/** A login key (folded) that more than one source user answers to. */
export interface Collision {
  key: string;
  kind: 'case-variants' | 'email-is-another-username' | 'shared-verified-contact' | 'unverified-duplicate';
  users: string[];
}

/**
 * Login keys several users answer to, as Cognito folds them: usernames (in a case-insensitive
 * target), verified emails and phones, preferred usernames. Unverified duplicates are listed
 * apart: they sign no one in, but become ambiguous the moment both are verified.
 */
export const findCollisions = (users: readonly ScannedUser[]): Collision[] => {
  const signIn = new Map<string, Set<string>>();
  const kinds = new Map<string, Set<string>>();
  const raw = new Map<string, Set<string>>();
  const unverified = new Map<string, Set<string>>();
  const add = (key: string, user: ScannedUser, kind: string, value: string) => {
    const folded = key.toLowerCase();
    (signIn.get(folded) ?? signIn.set(folded, new Set()).get(folded)!).add(user.username);
    (kinds.get(folded) ?? kinds.set(folded, new Set()).get(folded)!).add(kind);
    (raw.get(folded) ?? raw.set(folded, new Set()).get(folded)!).add(value);
  };
  for (const user of users) {
    add(user.username, user, 'username', user.username);
    if (user.email && user.emailVerified) add(user.email, user, 'email', user.email);
    if (user.phone && user.phoneVerified) add(user.phone, user, 'phone', user.phone);
    if (user.preferredUsername) add(user.preferredUsername, user, 'preferred', user.preferredUsername);
    if (user.email) {
      const folded = user.email.toLowerCase();
      (unverified.get(folded) ?? unverified.set(folded, new Set()).get(folded)!).add(user.username);
    }
  }
  const collisions: Collision[] = [];
  for (const [key, owners] of signIn) {
    if (owners.size < 2) continue;
    const kindsOf = kinds.get(key)!;
    collisions.push({
      key,
      kind:
        kindsOf.has('username') && kindsOf.has('email')
          ? 'email-is-another-username'
          : raw.get(key)!.size > 1
            ? 'case-variants'
            : 'shared-verified-contact',
      users: [...owners].sort(),
    });
  }
  for (const [key, owners] of unverified) {
    if (owners.size < 2 || (signIn.get(key)?.size ?? 0) >= 2) continue;
    collisions.push({ key, kind: 'unverified-duplicate', users: [...owners].sort() });
  }
  return collisions.sort((a, b) => a.key.localeCompare(b.key));
};
