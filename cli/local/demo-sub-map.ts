import type { UserType } from '@aws-sdk/client-cognito-identity-provider';
import { USER_MIGRATED, type UserMigratedDetail } from '#shared/migration-events';
import type { TableContext } from '#shared/table/context';
import { IN_TARGET } from '#shared/table/status';
import type { UserRecord } from '#shared/table/users';
import type { RecordedEvent } from '#local/eventbridge/index';
import { subMapPages, type SubMapRow } from '../export/sub-map';

/** What the demo saw of the sub map and the migration events. */
export interface SubMapCheck {
  /** UserMigrated events the local EventBridge received. */
  events: number;
  /** Rows `export sub-map` writes. */
  rows: number;
  /** Users in the target pool by the table (MIGRATED, RESET_SENT). */
  migrated: number;
  invariants: { name: string; ok: boolean; detail?: string }[];
}

/** The target pool's users: lower-cased username → sub. */
export const targetSubs = (users: readonly UserType[]): Map<string, string> =>
  new Map(
    users.map((user) => [
      (user.Username ?? '').toLowerCase(),
      user.Attributes?.find((a) => a.Name === 'sub')?.Value ?? '',
    ]),
  );

/** The keys a UserMigrated detail may have: identities only, never an attribute value. */
const DETAIL_KEYS = [
  'eventId',
  'method',
  'migratedAt',
  'sourceSub',
  'sourceUsername',
  'targetSub',
  'targetUsername',
].join(',');

const list = (names: string[]) =>
  names.length ? `${names.length}: ${names.slice(0, 5).join(', ')}` : undefined;

const invariant = (name: string, bad: string[]) => ({
  name,
  ok: bad.length === 0,
  ...(list(bad) ? { detail: list(bad) } : {}),
});

/**
 * The sub map against the target pool and the events: every user the table has in the target has
 * a row whose target sub is the pool's own sub for that user (ListUsers), no row names anyone
 * else, and exactly one UserMigrated event went out per row, with the row's subs and nothing else.
 */
export const checkSubMap = async (input: {
  table: TableContext;
  records: readonly UserRecord[];
  target: Map<string, string>;
  events: readonly RecordedEvent[];
}): Promise<SubMapCheck> => {
  const rows: SubMapRow[] = [];
  for await (const page of subMapPages(input.table, { pageSize: 100 })) rows.push(...page.rows);
  const byUser = new Map(rows.map((row) => [row.sourceUsername, row]));
  const migrated = input.records.filter((r) => IN_TARGET.includes(r.status));
  const subOf = (name: string) => input.target.get(name.toLowerCase());
  const unmatched = migrated.filter((record) => {
    const row = byUser.get(record.username);
    return !row || !row.targetSub || row.targetSub !== subOf(row.targetUsername);
  });
  const strangers = rows.filter((row) => !migrated.some((r) => r.username === row.sourceUsername));
  const details = input.events
    .filter((e) => e.detailType === USER_MIGRATED)
    .map((e) => e.detail as UserMigratedDetail);
  const perUser = new Map<string, number>();
  for (const d of details) perUser.set(d.sourceUsername, (perUser.get(d.sourceUsername) ?? 0) + 1);
  const eventMismatch = rows.filter((row) => {
    const matching = details.filter((d) => d.sourceUsername === row.sourceUsername);
    return (
      matching.length !== 1 ||
      matching[0]!.sourceSub !== row.sourceSub ||
      matching[0]!.targetSub !== row.targetSub
    );
  });
  const extraEvents = [...perUser].filter(([u, n]) => n > 1 || !byUser.has(u)).map(([u]) => u);
  const leaky = details.filter((d) => Object.keys(d).sort().join(',') !== DETAIL_KEYS);
  return {
    events: details.length,
    rows: rows.length,
    migrated: migrated.length,
    invariants: [
      invariant(
        'the sub map lists every migrated user with the target pool’s sub',
        unmatched.map((r) => r.username),
      ),
      invariant(
        'the sub map names no one who is not in the target',
        strangers.map((r) => r.sourceUsername),
      ),
      invariant('one UserMigrated event per migrated user, with the sub map’s subs', [
        ...eventMismatch.map((r) => r.sourceUsername),
        ...extraEvents,
      ]),
      invariant(
        'migration events carry identities only, no attribute value',
        leaky.map((d) => d.sourceUsername),
      ),
    ],
  };
};
