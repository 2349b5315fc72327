import { SortedIndex } from './sorted-index';
import type { UserRecord } from './types';

/** The attributes ListUsers can filter on, as AWS documents them. */
export const SEARCHABLE_ATTRIBUTES = [
  'username',
  'email',
  'phone_number',
  'name',
  'given_name',
  'family_name',
  'preferred_username',
  'cognito:user_status',
  'status',
  'sub',
] as const;

export type SearchableAttribute = (typeof SEARCHABLE_ATTRIBUTES)[number];

// Separates value from user key inside an entry; sorts below every printable character, so
// all entries for one value are contiguous and a prefix range is one contiguous run.
const SEP = '\u0000';

/**
 * One sorted index per searchable attribute, holding `value SEP userKey` entries. ListUsers
 * reads a page of `=` or `^=` matches by seeking to the value and walking forward.
 */
export class UserIndex {
  private readonly indexes = new Map<SearchableAttribute, SortedIndex>(
    SEARCHABLE_ATTRIBUTES.map((a) => [a, new SortedIndex()]),
  );

  constructor(private readonly foldUsername: boolean) {}

  add(user: UserRecord): void {
    for (const [attr, value] of this.entriesOf(user)) this.indexes.get(attr)!.add(value + SEP + user.key);
  }

  remove(user: UserRecord): void {
    for (const [attr, value] of this.entriesOf(user)) this.indexes.get(attr)!.delete(value + SEP + user.key);
  }

  /**
   * Normalises a filter value the way entries were normalised. AWS documents the
   * `cognito:user_status` filter as case-insensitive (`"confirmed"` finds CONFIRMED users), so
   * statuses are indexed and searched upper-cased.
   */
  normalise(attr: SearchableAttribute, value: string): string {
    if (attr === 'cognito:user_status') return value.toUpperCase();
    return attr === 'username' && this.foldUsername ? value.toLowerCase() : value;
  }

  /**
   * User keys whose `attr` equals (`exact`) or starts with `value`, after the entry `after`.
   * Yields [entry, userKey] so the caller can build a continuation token from the entry.
   */
  *scan(
    attr: SearchableAttribute,
    value: string,
    exact: boolean,
    after?: string,
  ): Generator<[string, string]> {
    const index = this.indexes.get(attr)!;
    const start = exact ? value + SEP : value;
    const iterator = after !== undefined ? index.from(after, true) : index.from(start);
    for (const entry of iterator) {
      const sep = entry.lastIndexOf(SEP);
      const entryValue = entry.slice(0, sep);
      if (exact ? entryValue !== value : !entryValue.startsWith(value)) return;
      yield [entry, entry.slice(sep + 1)];
    }
  }

  /** Every user key, ordered by username. */
  *all(after?: string): Generator<[string, string]> {
    const index = this.indexes.get('username')!;
    for (const entry of after !== undefined ? index.from(after, true) : index.from()) {
      yield [entry, entry.slice(entry.lastIndexOf(SEP) + 1)];
    }
  }

  private *entriesOf(user: UserRecord): Generator<[SearchableAttribute, string]> {
    yield ['username', this.foldUsername ? user.username.toLowerCase() : user.username];
    yield ['sub', user.sub];
    yield ['cognito:user_status', user.status];
    yield ['status', user.enabled ? 'Enabled' : 'Disabled'];
    for (const attr of [
      'email',
      'phone_number',
      'name',
      'given_name',
      'family_name',
      'preferred_username',
    ] as const) {
      const value = user.attributes[attr];
      if (value !== undefined) yield [attr, value];
    }
  }
}
