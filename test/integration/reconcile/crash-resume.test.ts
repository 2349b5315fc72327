import { ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { ManualClock } from '#shared/clock';
import { LeaseHeldError, LeaseStaleError } from '#shared/errors';
import { acquireLease, readLease } from '#shared/table/leases';
import { getProgress } from '#shared/table/progress';
import type { TableContext } from '#shared/table/context';
import { getUser, transitionStatus } from '#shared/table/users';
import { saveReconcileCursor } from '#shared/table/reconcile-cursor';
import { startCognitoEmulator, type CognitoEmulator } from '#local/cognito/index';
import { flagStragglers } from '../../../functions/reconcile/flag-stragglers';
import { repairUnrecordedMigrations } from '../../../functions/reconcile/repair';
import { runResetCampaign } from '../../../functions/reconcile/reset-campaign';
import { startLocalTables, type LocalTableHarness } from '../../support/local-table';
import { aSourceUser } from '../../support/users';
import { createPools, emulatorDeps, putInTarget, seedSnapshot, WINDOW_END } from './harness';

let tables: LocalTableHarness;
let emulator: CognitoEmulator;
let clock: ManualClock;
let table: TableContext;
let pools: Awaited<ReturnType<typeof createPools>>;

beforeAll(async () => {
  tables = await startLocalTables();
});
afterAll(() => tables.close());
beforeEach(async () => {
  clock = new ManualClock(WINDOW_END + 3600_000);
  emulator = await startCognitoEmulator({ clock, quotas: 'default' });
  table = await tables.newTable(clock);
  pools = await createPools(emulator);
});
afterEach(async () => {
  pools.admin.destroy();
  await emulator.close();
});

const deps = (overrides = {}) =>
  emulatorDeps(
    emulator,
    table,
    clock,
    { source: pools.source.poolId, target: pools.target.poolId },
    overrides,
  );

const flagAll = async (users: { username: string }[]) => {
  for (const u of users)
    await transitionStatus(table, u.username, { from: ['PENDING'], to: 'FLAGGED_FOR_RESET' });
};

describe('reset campaign after a crash', () => {
  it('ends, after a crash halfway and a rerun, with every user reset exactly once', async () => {
    const users = Array.from({ length: 12 }, (_, i) =>
      aSourceUser({ username: `u${String(i).padStart(2, '0')}` }),
    );
    await seedSnapshot(table, users, []);
    await flagAll(users);
    const crashing = deps();
    let resets = 0;
    // The process dies right after the 5th AdminResetUserPassword returns, before RESET_SENT is written.
    crashing.target.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'AdminResetUserPasswordCommand' && ++resets === 5) {
          throw new Error('injected crash');
        }
        return result;
      },
      { step: 'initialize', name: 'crashAfterReset' },
    );

    const first = await runResetCampaign(crashing);
    const second = await runResetCampaign(deps());

    expect(first.aborted).toEqual({ error: 'Error', message: 'injected crash' });
    expect(first.complete).toBe(false);
    expect(second.complete).toBe(true);
    expect(first.counts['reset-sent'] + second.counts['reset-sent']).toBe(12);
    expect(second.users).toEqual({});
    for (const u of users) {
      const messages = emulator.outbox.list({ userPoolId: pools.target.poolId, username: u.username });
      expect(messages.map((m) => m.kind)).toEqual(['reset']);
    }
    expect((await getProgress(table)).byStatus).toMatchObject({ FLAGGED_FOR_RESET: 0, RESET_SENT: 12 });
  });

  it('stops at the limit for a first small batch, and the next run takes the rest', async () => {
    const users = Array.from({ length: 5 }, (_, i) => aSourceUser({ username: `b${i}` }));
    await seedSnapshot(table, users, []);
    await flagAll(users);

    const first = await runResetCampaign(deps(), { limit: 2 });
    const second = await runResetCampaign(deps());

    expect(first.counts['reset-sent']).toBe(2);
    expect(first.complete).toBe(false);
    expect(second.counts['reset-sent']).toBe(3);
    expect(emulator.outbox.list({ userPoolId: pools.target.poolId })).toHaveLength(5);
  });
});

describe('one reset campaign at a time (the campaign lease)', () => {
  const flaggedUsers = async (n: number) => {
    const users = Array.from({ length: n }, (_, i) =>
      aSourceUser({ username: `c${String(i).padStart(2, '0')}` }),
    );
    await seedSnapshot(table, users, []);
    await flagAll(users);
    return users;
  };

  it('refuses a second campaign started at the same time, naming the first; every user gets exactly one code', async () => {
    const users = await flaggedUsers(10);

    const [a, b] = await Promise.allSettled([runResetCampaign(deps()), runResetCampaign(deps())]);

    const reports = [a, b].flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const refusals = [a, b].flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
    expect(reports).toHaveLength(1);
    expect(reports[0]!.complete).toBe(true);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toBeInstanceOf(LeaseHeldError);
    expect(refusals[0]!.message).toMatch(/A reset-campaign is already running: "campaign-/);
    for (const u of users) {
      const messages = emulator.outbox.list({ userPoolId: pools.target.poolId, username: u.username });
      expect(messages.map((m) => m.kind)).toEqual(['reset']);
    }
    expect((await getProgress(table)).byStatus).toMatchObject({ FLAGGED_FOR_RESET: 0, RESET_SENT: 10 });
    expect(await readLease(table, 'reset-campaign')).toMatchObject({ state: 'RELEASED' });
  });

  it('refuses to start while a campaign that died holds a STALE lease, and takes it over only when asked', async () => {
    const users = await flaggedUsers(4);
    // A campaign process killed mid-run: its lease was never released.
    await acquireLease(table, 'reset-campaign', { owner: 'campaign-dead', holder: 'host:1', ttlMs: 60_000 });
    clock.advance(60_001);

    await expect(runResetCampaign(deps())).rejects.toThrow(LeaseStaleError);
    const report = await runResetCampaign(deps(), { takeOver: true });

    expect(report.counts['reset-sent']).toBe(users.length);
    expect(await readLease(table, 'reset-campaign')).toMatchObject({
      state: 'RELEASED',
      takenOverFrom: { owner: 'campaign-dead', holder: 'host:1' },
    });
  });

  it('stops before the next user once its lease was taken over, resetting nobody after that', async () => {
    const users = await flaggedUsers(6);
    const campaignDeps = { ...deps(), concurrency: 1 };
    let resets = 0;
    // While the 2nd user is being reset, the lease expires and another campaign takes it over.
    campaignDeps.target.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'AdminResetUserPasswordCommand' && ++resets === 2) {
          clock.advance(10 * 60_000);
          await acquireLease(table, 'reset-campaign', {
            owner: 'campaign-other',
            holder: 'host:2',
            ttlMs: 60_000,
            takeOver: true,
          });
        }
        return result;
      },
      { step: 'initialize', name: 'takeOverMidCampaign' },
    );

    const report = await runResetCampaign(campaignDeps);

    expect(report.aborted?.error).toBe('LeaseLostError');
    expect(report.counts['reset-sent']).toBe(2);
    expect(emulator.outbox.list({ userPoolId: pools.target.poolId })).toHaveLength(2);
    expect((await getProgress(table)).byStatus.FLAGGED_FOR_RESET).toBe(users.length - 2);
    expect(await readLease(table, 'reset-campaign')).toMatchObject({
      owner: 'campaign-other',
      state: 'HELD',
    });
  });
});

describe('reconciler reads', () => {
  it('repairs by listing the target pool when that costs less quota than asking per user', async () => {
    const users = Array.from({ length: 30 }, (_, i) => aSourceUser({ username: `p${i}` }));
    await seedSnapshot(table, users, []);
    putInTarget(emulator, pools.target.poolId, users[7]!);
    const reads = deps();
    const calls: string[] = [];
    reads.target.middlewareStack.add(
      (next, context) => (args) => {
        calls.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'spy' },
    );

    const result = await repairUnrecordedMigrations(reads);

    expect(result).toMatchObject({ strategy: 'list-users', repaired: ['p7'], complete: true });
    expect(calls.filter((c) => c === ListUsersCommand.name)).toHaveLength(1);
    expect(calls).not.toContain('AdminGetUserCommand');
  });

  it.each(['admin-get-user', 'list-users'] as const)(
    'repairs no PENDING user from a stranger who took the name without a legacy sub (%s): no sub map entry to them',
    async (strategy) => {
      const gary = aSourceUser({ username: 'gary' });
      await seedSnapshot(table, [gary], []);
      // Signed up while gary was outside the migration scope (the guard lets that through).
      emulator.store.createUserDirect(pools.target.poolId, {
        username: 'gary',
        attributes: { email: 'stranger@example.com', email_verified: 'true' },
        password: 'Stranger-Passw0rd!',
      });
      await saveReconcileCursor(table, { strategy });

      const result = await repairUnrecordedMigrations(deps());

      expect(result.repaired).toEqual([]);
      expect(await getUser(table, 'gary')).toMatchObject({ status: 'PENDING' });
      expect(await getUser(table, 'gary')).not.toHaveProperty('targetSub');
    },
  );

  it('never calls the source pool once it is retired, flagging from the snapshot', async () => {
    const users = [aSourceUser({ username: 'r1' }), aSourceUser({ username: 'r2', enabled: false })];
    await seedSnapshot(table, users, []);
    const retired = deps({
      source: { userPoolId: pools.source.poolId, migrationClientId: 'unused', retired: true },
    });
    const sourceCalls: string[] = [];
    retired.source.middlewareStack.add(
      (next, context) => (args) => {
        sourceCalls.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'spy' },
    );

    const result = await flagStragglers(retired);

    expect(result.flagged.sort()).toEqual(['r1', 'r2']);
    expect(sourceCalls).toEqual([]);
  });
});
