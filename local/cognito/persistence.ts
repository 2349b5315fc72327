import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { SortedIndex } from './sorted-index';
import { Store } from './store';
import type { TokenService } from './tokens';
import type { ClientRecord, GroupRecord, PoolRecord, SchemaAttribute, UserRecord } from './types';

interface SavedPool extends Omit<
  PoolRecord,
  'schema' | 'users' | 'aliases' | 'subs' | 'index' | 'groups' | 'groupNames' | 'clients'
> {
  schema: SchemaAttribute[];
  users: (Omit<UserRecord, 'groups'> & { groups: string[] })[];
  groups: Omit<GroupRecord, 'members'>[];
  clients: ClientRecord[];
}

interface SavedState {
  version: 1;
  pools: SavedPool[];
  keys: Record<string, { kid: string; pem: string }>;
}

/** Writes every pool, user, group, client and signing key to `file` (sessions and tokens are not kept). */
export async function saveState(file: string, store: Store, tokens: TokenService): Promise<void> {
  const pools: SavedPool[] = [...store.pools.values()].map((pool) => {
    const {
      schema,
      users,
      aliases: _a,
      subs: _s,
      index: _i,
      groups,
      groupNames: _g,
      clients,
      ...rest
    } = pool;
    return {
      ...rest,
      schema: [...schema.values()],
      users: [...users.values()].map((u) => ({ ...u, groups: [...u.groups] })),
      groups: [...groups.values()].map(({ members: _m, ...g }) => g),
      clients: [...clients.values()],
    };
  });
  const state: SavedState = { version: 1, pools, keys: tokens.exportKeys() };
  // Write then rename: a process killed mid-save leaves the previous state whole, never half a file.
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, JSON.stringify(state));
  await rename(partial, file);
}

/** Loads a saved state into an empty store, rebuilding aliases and indexes. */
export async function loadState(file: string, store: Store, tokens: TokenService): Promise<void> {
  if (!existsSync(file)) return;
  const state = JSON.parse(await readFile(file, 'utf8')) as SavedState;
  for (const saved of state.pools) {
    const pool: PoolRecord = {
      ...saved,
      schema: new Map(saved.schema.map((a) => [a.Name, a])),
      users: new Map(),
      aliases: new Map(),
      subs: new Map(),
      index: Store.emptyIndex(saved.caseSensitive),
      groups: new Map(saved.groups.map((g) => [g.name, { ...g, members: new SortedIndex() }])),
      groupNames: new SortedIndex(),
      clients: new Map(saved.clients.map((c) => [c.id, c])),
    };
    for (const name of pool.groups.keys()) pool.groupNames.add(name);
    store.pools.set(pool.id, pool);
    for (const savedUser of saved.users) {
      const user: UserRecord = {
        ...savedUser,
        attributes: Object.assign(Object.create(null), savedUser.attributes),
        groups: new Set(savedUser.groups),
      };
      store.insert(pool, user);
      for (const name of user.groups) pool.groups.get(name)?.members.add(user.key);
    }
  }
  tokens.importKeys(state.keys);
}
