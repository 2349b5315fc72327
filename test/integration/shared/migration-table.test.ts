import { ManualClock } from '#shared/clock';
import { findUsernamesByLoginKey, loginKeysOf, putLoginKeys } from '#shared/table/login-keys';
import { addCounters, getProgress, recordRefusal, recountProgress } from '#shared/table/progress';
import {
  advanceCheckpoint,
  createRun,
  getCheckpoint,
  listCheckpoints,
  resumeRun,
  finishRun,
} from '#shared/table/runs';
import type { TableContext } from '#shared/table/context';
import {
  addUserGroups,
  getUser,
  listUsersByStatus,
  markGroupsApplied,
  recordMigrated,
  transitionStatus,
  upsertSnapshot,
} from '#shared/table/users';
import { recordTargetSub } from '#shared/table/target-sub';
import { InvalidTransitionError, RunNotFoundError } from '#shared/errors';
import { startLocalTables, type LocalTableHarness } from '../../support/local-table';
import { aSourceUser } from '../../support/users';

let harness: LocalTableHarness;
let ctx: TableContext;

beforeAll(async () => {
  harness = await startLocalTables();
});
afterAll(() => harness.close());
beforeEach(async () => {
  ctx = await harness.newTable(new ManualClock(Date.UTC(2026, 10, 22, 13, 0)));
});

const seed = async (user = aSourceUser()) => {
  const { created } = await upsertSnapshot(ctx, user);
  if (created) await addCounters(ctx, { total: 1, PENDING: 1 });
  return user;
};

describe('upsertSnapshot', () => {
  it('creates a new user as PENDING', async () => {
    const user = aSourceUser();

    const result = await upsertSnapshot(ctx, user);

    expect(result).toEqual({ created: true });
    expect(await getUser(ctx, user.username)).toMatchObject({ status: 'PENDING', sub: user.sub, groups: [] });
  });

  it('refreshes attributes without resetting a MIGRATED user to PENDING', async () => {
    const user = await seed();
    await recordMigrated(ctx, user.username, { method: 'password', targetUsername: user.username });

    const result = await upsertSnapshot(ctx, {
      ...user,
      attributes: { ...user.attributes, name: 'New Name' },
    });

    expect(result).toEqual({ created: false, previousStatus: 'MIGRATED' });
    const record = await getUser(ctx, user.username);
    expect(record).toMatchObject({ status: 'MIGRATED', attributes: { name: 'New Name' } });
  });

  it('returns a SOURCE_DELETED user who reappears to PENDING', async () => {
    const user = await seed();
    await transitionStatus(ctx, user.username, { from: ['PENDING'], to: 'SOURCE_DELETED' });

    await upsertSnapshot(ctx, user);

    expect((await getUser(ctx, user.username))?.status).toBe('PENDING');
  });
});

describe('transitionStatus', () => {
  it('moves the status and the counters together', async () => {
    const user = await seed();

    const result = await transitionStatus(ctx, user.username, { from: ['PENDING'], to: 'FLAGGED_FOR_RESET' });

    expect(result).toMatchObject({ changed: true, status: 'FLAGGED_FOR_RESET' });
    const progress = await getProgress(ctx);
    expect(progress.byStatus).toMatchObject({ PENDING: 0, FLAGGED_FOR_RESET: 1 });
  });

  it('records one winner when ten writers race for the same user', async () => {
    const user = await seed();

    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        transitionStatus(ctx, user.username, { from: ['PENDING'], to: 'MIGRATED' }),
      ),
    );

    expect(results.filter((r) => r.changed)).toHaveLength(1);
    const progress = await getProgress(ctx);
    expect(progress.byStatus).toMatchObject({ PENDING: 0, MIGRATED: 1 });
    expect(progress.total).toBe(1);
  });

  it('leaves a record alone when it is not in an expected status', async () => {
    const user = await seed();
    await transitionStatus(ctx, user.username, { from: ['PENDING'], to: 'MIGRATED' });

    const result = await transitionStatus(ctx, user.username, { from: ['PENDING'], to: 'FLAGGED_FOR_RESET' });

    expect(result).toEqual({ changed: false, status: 'MIGRATED' });
    expect((await getProgress(ctx)).byStatus).toMatchObject({ MIGRATED: 1, FLAGGED_FOR_RESET: 0 });
  });

  it('refuses a move the model forbids', async () => {
    const user = await seed();

    await expect(transitionStatus(ctx, user.username, { from: ['MIGRATED'], to: 'PENDING' })).rejects.toThrow(
      InvalidTransitionError,
    );
  });
});

describe('recordMigrated', () => {
  it('counts a user once when two sign-ins record the migration concurrently', async () => {
    const user = await seed();

    const results = await Promise.all([
      recordMigrated(ctx, user.username, { method: 'password', targetUsername: user.username }),
      recordMigrated(ctx, user.username, { method: 'password', targetUsername: user.username }),
    ]);

    expect(results.filter((r) => r.changed)).toHaveLength(1);
    expect((await getProgress(ctx)).byStatus.MIGRATED).toBe(1);
  });

  it('creates the record of a user the snapshot does not have', async () => {
    const result = await recordMigrated(ctx, 'late-signup', {
      method: 'password',
      targetUsername: 'late-signup',
    });

    expect(result.changed).toBe(true);
    expect(await getUser(ctx, 'late-signup')).toMatchObject({ status: 'MIGRATED', snapshotMissing: true });
    expect(await getProgress(ctx)).toMatchObject({
      total: 1,
      byStatus: expect.objectContaining({ MIGRATED: 1 }),
    });
  });
});

describe('target sub and the owed event', () => {
  it('owes the event in the write that records the migration, and the binding that follows makes it due once', async () => {
    const user = await seed();
    const migrated = await recordMigrated(ctx, user.username, {
      method: 'password',
      targetUsername: user.username,
    });

    const first = await recordTargetSub(ctx, user.username, 'target-sub-1');
    const again = await recordTargetSub(ctx, user.username, 'target-sub-1');
    const other = await recordTargetSub(ctx, user.username, 'target-sub-2');

    expect(migrated.record).toMatchObject({ eventOutbox: expect.stringMatching(/^OUTBOX#/) });
    expect(first).toEqual({ bound: true, due: expect.objectContaining({ targetSub: 'target-sub-1' }) });
    expect(again).toEqual({ bound: true });
    expect(other).toEqual({ bound: false });
  });

  it('drops a sub bound before when a sign-in records the migration (Cognito creates a new user)', async () => {
    const user = await seed();
    await transitionStatus(ctx, user.username, { from: ['PENDING'], to: 'FLAGGED_FOR_RESET' });
    await recordTargetSub(ctx, user.username, 'deleted-campaign-user');
    await transitionStatus(ctx, user.username, { from: ['FLAGGED_FOR_RESET'], to: 'NEEDS_ADMIN' });

    const result = await recordMigrated(ctx, user.username, {
      method: 'password',
      targetUsername: user.username,
    });

    expect(result.changed).toBe(true);
    expect((await getUser(ctx, user.username))?.targetSub).toBeUndefined();
  });
});

describe('login keys', () => {
  it('finds a case-sensitive source user from a differently cased email', async () => {
    const user = await seed(aSourceUser({ username: 'john', attributes: { email: 'john@example.com' } }));
    await putLoginKeys(ctx, [user]);

    expect(await findUsernamesByLoginKey(ctx, 'John@Example.COM')).toEqual(['john']);
  });

  it('reports two source users whose usernames differ only by case', async () => {
    const upper = aSourceUser({ username: 'Alice', attributes: { email: 'a1@example.com' } });
    const lower = aSourceUser({ username: 'alice', attributes: { email: 'a2@example.com' } });
    await putLoginKeys(ctx, [upper, lower]);

    expect(await findUsernamesByLoginKey(ctx, 'ALICE')).toEqual(['Alice', 'alice']);
  });

  it('derives username, email, phone and preferred_username keys, lowercased and deduplicated', () => {
    const keys = loginKeysOf({
      username: 'Bob',
      attributes: {
        email: 'Bob@X.io',
        phone_number: '+15550100',
        preferred_username: 'bob',
        name: 'ignored',
      },
    });

    expect(keys).toEqual([
      { kind: 'username', value: 'bob' },
      { kind: 'email', value: 'bob@x.io' },
      { kind: 'phone_number', value: '+15550100' },
    ]);
  });
});

describe('groups of a user', () => {
  it('adds groups idempotently', async () => {
    const user = await seed();

    await addUserGroups(ctx, user.username, ['admins', 'staff']);
    await addUserGroups(ctx, user.username, ['staff']);

    expect((await getUser(ctx, user.username))?.groups).toEqual(['admins', 'staff']);
  });

  it('lets exactly one caller mark groups applied', async () => {
    const user = await seed();

    const results = await Promise.all([
      markGroupsApplied(ctx, user.username),
      markGroupsApplied(ctx, user.username),
    ]);

    expect(results.sort()).toEqual([false, true]);
  });
});

describe('listUsersByStatus', () => {
  it('pages through every user of a status across the index shards', async () => {
    const users = await Promise.all(Array.from({ length: 23 }, () => seed()));
    await transitionStatus(ctx, users[0]!.username, { from: ['PENDING'], to: 'MIGRATED' });

    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await listUsersByStatus(ctx, 'PENDING', { limit: 5, ...(nextToken ? { nextToken } : {}) });
      expect(page.users.length).toBeLessThanOrEqual(5);
      seen.push(...page.users.map((u) => u.username));
      nextToken = page.nextToken;
    } while (nextToken);

    expect(seen.sort()).toEqual(
      users
        .slice(1)
        .map((u) => u.username)
        .sort(),
    );
  });
});

describe('progress counters', () => {
  it('are repaired by a recount after a crash between a write and its counter update', async () => {
    await Promise.all(Array.from({ length: 4 }, () => seed()));
    await upsertSnapshot(ctx, aSourceUser()); // written, counter update "lost"
    await recordRefusal(ctx, 'AMBIGUOUS_USER');

    expect((await getProgress(ctx)).byStatus.PENDING).toBe(4);
    await recountProgress(ctx);

    expect(await getProgress(ctx)).toMatchObject({
      total: 5,
      byStatus: expect.objectContaining({ PENDING: 5 }),
      refusals: { AMBIGUOUS_USER: 1 },
    });
  });
});

describe('run checkpoints', () => {
  it('counts a page once even when a retried task replays it', async () => {
    await createRun(ctx, 'run-1', {});

    const first = await advanceCheckpoint(ctx, 'run-1', 'users#a', {
      fromCursor: undefined,
      toCursor: 't1',
      seen: 60,
      done: false,
    });
    const replay = await advanceCheckpoint(ctx, 'run-1', 'users#a', {
      fromCursor: undefined,
      toCursor: 't1',
      seen: 60,
      done: false,
    });
    const last = await advanceCheckpoint(ctx, 'run-1', 'users#a', {
      fromCursor: 't1',
      toCursor: undefined,
      seen: 7,
      done: true,
    });

    expect([first, replay, last]).toEqual([true, false, true]);
    expect(await getCheckpoint(ctx, 'run-1', 'users#a')).toEqual({
      key: 'users#a',
      seen: 67,
      pages: 2,
      done: true,
    });
    expect(await listCheckpoints(ctx, 'run-1', 'users#')).toHaveLength(1);
  });

  it('refuses to resume a run that does not exist or already succeeded', async () => {
    await createRun(ctx, 'run-2', {});
    await finishRun(ctx, 'run-2', { status: 'SUCCEEDED' });

    await expect(resumeRun(ctx, 'run-2')).rejects.toThrow(RunNotFoundError);
    await expect(resumeRun(ctx, 'missing')).rejects.toThrow(RunNotFoundError);
  });
});
