import { randomUUID } from 'node:crypto';
import { aliasExists, noSuchUser, poolNotFound, usernameExists } from './errors';
import { hashPassword } from './passwords';
import { UserIndex } from './user-index';
import type { Attributes, PoolRecord, UserRecord, UserStatus } from './types';

export interface DirectUser {
  username: string;
  attributes?: Attributes;
  status?: UserStatus;
  enabled?: boolean;
  password?: string;
  groups?: string[];
}

const ALIAS_VERIFIED_FLAG: Record<string, string | undefined> = {
  email: 'email_verified',
  phone_number: 'phone_number_verified',
};

/** All pools of one emulator, with the lookups and index upkeep every operation shares. */
export class Store {
  readonly pools = new Map<string, PoolRecord>();

  constructor(readonly now: () => number) {}

  pool(poolId: unknown): PoolRecord {
    const pool = typeof poolId === 'string' ? this.pools.get(poolId) : undefined;
    if (!pool) throw poolNotFound(String(poolId));
    return pool;
  }

  keyOf(pool: PoolRecord, username: string): string {
    return pool.caseSensitive ? username : username.toLowerCase();
  }

  /**
   * AWS: CaseSensitive false "also enables both preferred_username and email alias to be case
   * insensitive"; in a case-sensitive pool every alias, email included, matches exactly.
   */
  aliasKey(pool: PoolRecord, attr: string, value: string): string {
    return `${attr}:${pool.caseSensitive ? value : value.toLowerCase()}`;
  }

  /**
   * Resolves what a caller typed: the username, else a sign-in alias (email, phone number,
   * preferred_username), else the sub — the order AWS documents for the `Username` parameter.
   */
  findUser(pool: PoolRecord, name: unknown): UserRecord | undefined {
    if (typeof name !== 'string' || name === '') return undefined;
    const direct = pool.users.get(this.keyOf(pool, name));
    if (direct) return direct;
    for (const attr of ['email', 'phone_number', 'preferred_username']) {
      const key = pool.aliases.get(this.aliasKey(pool, attr, name));
      if (key) return pool.users.get(key);
    }
    const bySub = pool.subs.get(name);
    return bySub ? pool.users.get(bySub) : undefined;
  }

  requireUser(pool: PoolRecord, name: unknown): UserRecord {
    const user = this.findUser(pool, name);
    if (!user) throw noSuchUser();
    return user;
  }

  /** A new user record with a fresh sub; not yet stored. */
  newUser(pool: PoolRecord, username: string, attributes: Attributes, status: UserStatus): UserRecord {
    const sub = randomUUID();
    const now = this.now();
    const name = pool.usernameAttributes.length > 0 ? sub : username;
    return {
      username: name,
      key: this.keyOf(pool, name),
      sub,
      attributes: Object.assign(Object.create(null), attributes, { sub }),
      status,
      enabled: true,
      created: now,
      modified: now,
      mfa: { sms: false, totp: false },
      groups: new Set(),
      tokensValidAfter: 0,
      codes: {},
    };
  }

  /** The sign-in aliases a user holds, given the pool's alias configuration. */
  aliasesOf(pool: PoolRecord, user: UserRecord): string[] {
    const keys: string[] = [];
    for (const attr of pool.usernameAttributes) {
      const value = user.attributes[attr];
      if (value) keys.push(this.aliasKey(pool, attr, value));
    }
    for (const attr of pool.aliasAttributes) {
      const value = user.attributes[attr];
      const flag = ALIAS_VERIFIED_FLAG[attr];
      if (value && (!flag || user.attributes[flag] === 'true')) keys.push(this.aliasKey(pool, attr, value));
    }
    return keys;
  }

  /**
   * Throws when another user holds one of this user's aliases, unless `force`, in which case
   * the alias moves to this user (the other user's attribute becomes unverified), as
   * ForceAliasCreation does.
   */
  claimAliases(pool: PoolRecord, user: UserRecord, force: boolean): void {
    for (const key of this.aliasesOf(pool, user)) {
      const ownerKey = pool.aliases.get(key);
      if (!ownerKey || ownerKey === user.key) continue;
      const attr = key.slice(0, key.indexOf(':'));
      if (pool.usernameAttributes.includes(attr))
        throw usernameExists(`An account with the given ${attr} already exists.`);
      const flag = ALIAS_VERIFIED_FLAG[attr];
      if (!force || !flag) throw aliasExists(`An account with the given ${attr} already exists.`);
      const owner = pool.users.get(ownerKey)!;
      this.update(pool, owner, () => {
        owner.attributes[flag] = 'false';
      });
    }
  }

  insert(pool: PoolRecord, user: UserRecord): void {
    if (pool.users.has(user.key)) throw usernameExists('User account already exists');
    pool.users.set(user.key, user);
    pool.subs.set(user.sub, user.key);
    for (const key of this.aliasesOf(pool, user)) pool.aliases.set(key, user.key);
    pool.index.add(user);
  }

  remove(pool: PoolRecord, user: UserRecord): void {
    pool.index.remove(user);
    for (const key of this.aliasesOf(pool, user))
      if (pool.aliases.get(key) === user.key) pool.aliases.delete(key);
    for (const group of user.groups) pool.groups.get(group)?.members.delete(user.key);
    pool.subs.delete(user.sub);
    pool.users.delete(user.key);
  }

  /** Applies a change to a stored user, keeping indexes and aliases in step. */
  update(pool: PoolRecord, user: UserRecord, change: () => void): void {
    pool.index.remove(user);
    for (const key of this.aliasesOf(pool, user))
      if (pool.aliases.get(key) === user.key) pool.aliases.delete(key);
    change();
    user.modified = this.now();
    for (const key of this.aliasesOf(pool, user)) pool.aliases.set(key, user.key);
    pool.index.add(user);
  }

  /** Seeds a user without the API's checks, messages or triggers (fast; for tests and benches). */
  createUserDirect(poolId: string, input: DirectUser): UserRecord {
    const pool = this.pool(poolId);
    const user = this.newUser(pool, input.username, input.attributes ?? {}, input.status ?? 'CONFIRMED');
    user.enabled = input.enabled ?? true;
    if (input.password !== undefined) user.password = hashPassword(input.password);
    this.insert(pool, user);
    for (const name of input.groups ?? []) {
      const group = pool.groups.get(name);
      if (!group) continue;
      group.members.add(user.key);
      user.groups.add(name);
    }
    return user;
  }

  static emptyIndex(caseSensitive: boolean): UserIndex {
    return new UserIndex(!caseSensitive);
  }
}
