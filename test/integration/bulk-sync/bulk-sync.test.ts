import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ManualClock } from '#shared/clock';
import { getGroup } from '#shared/table/groups';
import { findUsernamesByLoginKey } from '#shared/table/login-keys';
import { getProgress } from '#shared/table/progress';
import { getRun, listCheckpoints } from '#shared/table/runs';
import { readLease } from '#shared/table/leases';
import type { TableContext } from '#shared/table/context';
import { startCognitoEmulator, type CognitoEmulator } from '#local/cognito/index';
import { startLocalTables, type LocalTableHarness } from '../../support/local-table';
import {
  createPools,
  GROUPS,
  seedSource,
  sourceUsers,
  syncEnvironment,
  tableUsers,
  targetGroup,
  TARGET_ROLE,
} from './harness';

const POOL_SIZE = 2000;
const KILLED_POOL_SIZE = 1000;

let tables: LocalTableHarness;
let emulator: CognitoEmulator | undefined;
let table: TableContext;
let clock: ManualClock;
let pools: { source: string; target: string };

beforeAll(async () => {
  tables = await startLocalTables();
});
afterAll(() => tables.close());
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** A fresh emulator (quotas per AWS's defaults, on the test's clock) with a seeded source pool. */
const arrange = async (options: Parameters<typeof startCognitoEmulator>[0] = {}, size = POOL_SIZE) => {
  clock = new ManualClock(Date.UTC(2026, 10, 22, 13, 0));
  emulator = await startCognitoEmulator({ clock, quotas: 'default', seed: 7, ...options });
  table = await tables.newTable(clock);
  pools = await createPools(emulator);
  await seedSource(emulator, pools.source, size);
};

/** The table holds exactly the source's users, groups and memberships: none lost, none twice. */
const expectTableMatchesSource = async () => {
  const source = sourceUsers(emulator!, pools.source);
  const items = await tableUsers(table);
  expect(items).toHaveLength(source.size);
  expect(new Set(items.map((u) => u.sub)).size).toBe(source.size);
  for (const item of items) {
    const expected = source.get(item.username);
    expect(expected).toBeDefined();
    expect({
      sub: item.sub,
      enabled: item.enabled,
      userStatus: item.userStatus,
      attributes: item.attributes,
      groups: item.groups,
    }).toEqual(expected);
  }
  const progress = await getProgress(table);
  expect(progress.total).toBe(source.size);
  expect(progress.byStatus.PENDING).toBe(source.size);
  for (const name of GROUPS) expect(await getGroup(table, name)).toMatchObject({ groupName: name });
};

/** The message of the error an execution failed with (Step Functions' Cause is the Lambda error payload). */
const errorMessage = (result: { error?: { Cause?: string } }): string =>
  String((JSON.parse(result.error?.Cause ?? '{}') as { errorMessage?: string }).errorMessage);

/** The counters item says exactly what the user items say, status by status. */
const expectCountersMatchStatuses = async () => {
  const users = await tableUsers(table);
  const perStatus: Record<string, number> = {};
  for (const user of users) perStatus[user.status] = (perStatus[user.status] ?? 0) + 1;
  const progress = await getProgress(table);
  expect(progress.total).toBe(users.length);
  for (const [status, count] of Object.entries(progress.byStatus))
    expect([status, count]).toEqual([status, perStatus[status] ?? 0]);
};

const memberships = () =>
  [...sourceUsers(emulator!, pools.source).values()].reduce((n, u) => n + u.groups.length, 0);

describe('bulk-sync state machine (aws-local-stepfunctions, Cognito emulator, dynalite)', () => {
  it(`snapshots every user, group and membership of a ${POOL_SIZE}-user pool exactly once`, async () => {
    await arrange();
    const env = syncEnvironment(emulator!, tables, table, pools, clock);

    // A zero budget ends every task round after one page, so the loop runs several rounds per
    // shard however fast this machine is (a time budget made the round count timing-dependent).
    const result = await env.run({ maxConcurrency: 4, taskBudgetSeconds: 0 });

    expect(result.error).toBeUndefined();
    expect(result.output).toMatchObject({
      runId: result.executionName,
      users: POOL_SIZE,
      groups: GROUPS.length,
      memberships: memberships(),
      sourceDeleted: 0,
    });
    await expectTableMatchesSource();
    expect(await getRun(table, result.executionName)).toMatchObject({ status: 'SUCCEEDED' });
    // Several bounded rounds per shard ran: the loop, not one task per shard.
    const rounds = result.events.filter(
      (e) => e.type === 'StateEntered' && e.state.name === 'ExportShardPages',
    );
    expect(rounds.length).toBeGreaterThan(16);
    // A case-sensitive source holds "user00013" and "USER00013": two users, one ambiguous login key.
    expect(await findUsernamesByLoginKey(table, 'user00013')).toEqual(['USER00013', 'user00013']);
    expect(await findUsernamesByLoginKey(table, 'user00001@example.com')).toEqual(['user00001']);
    // Target groups: description and precedence copied, a role only through groupRoleArnMap.
    expect(await targetGroup(emulator!, pools.target, 'admins')).toMatchObject({
      Description: 'The admins',
      Precedence: 0,
      RoleArn: TARGET_ROLE,
    });
    expect((await targetGroup(emulator!, pools.target, 'readers')).RoleArn).toBeUndefined();
  }, 90_000);

  it('completes through injected TooManyRequestsException on every list call, retried by the state machine', async () => {
    await arrange({
      faults: {
        ListUsers: { rate: 0.15, error: 'TooManyRequestsException' },
        ListUsersInGroup: { rate: 0.15, error: 'TooManyRequestsException' },
        ListGroups: { rate: 0.3, error: 'TooManyRequestsException' },
      },
    });
    // One SDK attempt, so every throttle reaches the state machine's Retry.
    const env = syncEnvironment(emulator!, tables, table, pools, clock, {
      sdk: { maxAttempts: 1, connectionTimeoutMs: 1000, requestTimeoutMs: 3000 },
    });

    const result = await env.run({ maxConcurrency: 8, taskBudgetSeconds: 5 });

    expect(result.error).toBeUndefined();
    expect(result.output).toMatchObject({ users: POOL_SIZE, memberships: memberships() });
    const retries = result.events.filter((e) => e.type === 'StateRetried');
    expect(retries.length).toBeGreaterThan(5);
    await expectTableMatchesSource();
  }, 90_000);

  it('fails when a task crashes between writing a page and checkpointing it, then a resume ends with every user once', async () => {
    await arrange();
    const env = syncEnvironment(emulator!, tables, table, pools, clock);
    const inFlight: Promise<unknown>[] = [];
    let usersTasks = 0;
    const crashOnce = (handler: (event: unknown) => Promise<unknown>) => async (event: unknown) => {
      const task = (event as { task: string }).task;
      const crash = task === 'users' && ++usersTasks === 6;
      const call = (async () => {
        if (!crash) return handler(event);
        // The page's users, login keys and counters are written; the checkpoint write dies.
        const send = env.deps.table.doc.send.bind(env.deps.table.doc);
        const doc = Object.create(env.deps.table.doc) as typeof env.deps.table.doc;
        doc.send = ((command: UpdateCommand) => {
          const key = String(command.input.Key?.sk ?? '');
          if (command instanceof UpdateCommand && key.startsWith('CP#users#'))
            throw new Error('injected crash');
          return send(command as never);
        }) as typeof doc.send;
        const { runTask } = await import('../../../functions/bulk-export/run-task');
        return runTask(event, { ...env.deps, table: { ...env.deps.table, doc } });
      })();
      inFlight.push(call.catch(() => undefined));
      return call;
    };

    const failed = await env.run({ maxConcurrency: 4, taskBudgetSeconds: 1 }, crashOnce);
    await Promise.all(inFlight); // shard tasks the failed Map abandoned still run, as in Lambda
    const written = (await tableUsers(table)).length;
    const counted = (await listCheckpoints(table, failed.executionName, 'users#')).reduce(
      (n, c) => n + c.seen,
      0,
    );
    const resumed = await env.run({ resumeRunId: failed.executionName });

    expect(failed.status).toBe('FAILED');
    expect(failed.error).toEqual({
      Error: 'Error',
      Cause: JSON.stringify({ errorType: 'Error', errorMessage: 'injected crash' }),
    });
    expect(written).toBeGreaterThan(counted); // the crashed page was written but not counted
    expect(resumed.error).toBeUndefined();
    expect(resumed.output).toMatchObject({
      runId: failed.executionName,
      users: POOL_SIZE,
      memberships: memberships(),
    });
    expect(await getRun(table, failed.executionName)).toMatchObject({
      status: 'SUCCEEDED',
      resumedAt: [expect.any(String)],
    });
    await expectTableMatchesSource();
  }, 90_000);

  /**
   * The process dies during the 5th users round: that call finishes (it was in flight), and no
   * later call reaches the table — not even the Catch's fail task, so the run stays RUNNING and
   * its lease stops beating.
   */
  const runKilledMidSync = async (
    env: ReturnType<typeof syncEnvironment>,
    input: Record<string, unknown>,
  ) => {
    const inFlight: Promise<unknown>[] = [];
    let usersTasks = 0;
    let killed = false;
    const killMidRun = (handler: (event: unknown) => Promise<unknown>) => async (event: unknown) => {
      if (killed) throw new Error('runner killed');
      if ((event as { task: string }).task === 'users' && ++usersTasks === 5) killed = true;
      const call = handler(event);
      inFlight.push(call.catch(() => undefined));
      return call;
    };
    const dead = await env.run(input, killMidRun);
    await Promise.all(inFlight);
    return dead;
  };

  it('shows a killed run STALE once its lease stops beating; an explicit takeover resumes it to every user once, counters exact', async () => {
    await arrange({}, KILLED_POOL_SIZE);
    const env = syncEnvironment(emulator!, tables, table, pools, clock);
    const dead = await runKilledMidSync(env, { maxConcurrency: 4, taskBudgetSeconds: 0, leaseSeconds: 90 });
    const countedBeforeResume = (await listCheckpoints(table, dead.executionName, 'users#')).reduce(
      (n, c) => n + c.seen,
      0,
    );
    const leaseWhileFresh = await readLease(table, 'bulk-sync');
    clock.advance(90_001);
    const leaseAfterTtl = await readLease(table, 'bulk-sync');

    const refused = await env.run({ resumeRunId: dead.executionName });
    const resumed = await env.run({ resumeRunId: dead.executionName, takeOver: true });

    expect(dead.status).toBe('FAILED');
    expect(leaseWhileFresh).toMatchObject({ owner: dead.executionName, state: 'HELD' });
    expect(leaseAfterTtl).toMatchObject({ owner: dead.executionName, state: 'STALE' });
    expect(refused.error?.Error).toBe('LeaseStaleError');
    expect(countedBeforeResume).toBeGreaterThan(0);
    expect(countedBeforeResume).toBeLessThan(KILLED_POOL_SIZE);
    expect(resumed.error).toBeUndefined();
    expect(resumed.output).toMatchObject({
      runId: dead.executionName,
      users: KILLED_POOL_SIZE,
      memberships: memberships(),
      sourceDeleted: 0,
    });
    expect(await getRun(table, dead.executionName)).toMatchObject({ status: 'SUCCEEDED' });
    expect(await readLease(table, 'bulk-sync')).toMatchObject({ state: 'RELEASED' });
    await expectTableMatchesSource();
    await expectCountersMatchStatuses();
  }, 90_000);

  it('refuses a second sync started at the same time, naming the running one; the first ends with every user once', async () => {
    await arrange({}, 500);
    const env = syncEnvironment(emulator!, tables, table, pools, clock);

    const [a, b] = await Promise.all([
      env.run({ maxConcurrency: 4, taskBudgetSeconds: 0 }),
      env.run({ maxConcurrency: 4, taskBudgetSeconds: 0 }),
    ]);

    const [won, lost] = a.error?.Error === 'LeaseHeldError' ? [b, a] : [a, b];
    expect(won.error).toBeUndefined();
    expect(lost.status).toBe('FAILED');
    expect(lost.error?.Error).toBe('LeaseHeldError');
    expect(errorMessage(lost)).toContain(`"${won.executionName}"`);
    expect(await getRun(table, lost.executionName)).toBeUndefined();
    expect(won.output).toMatchObject({ users: 500, sourceDeleted: 0 });
    const users = await tableUsers(table);
    expect(users.filter((u) => u.status === 'SOURCE_DELETED')).toEqual([]);
    expect(users.every((u) => u.lastRunId === won.executionName)).toBe(true);
    await expectTableMatchesSource();
    await expectCountersMatchStatuses();
  }, 90_000);

  it('refuses to resume a run superseded by a later one, and that resume marks nobody SOURCE_DELETED', async () => {
    await arrange({}, 500);
    const env = syncEnvironment(emulator!, tables, table, pools, clock);
    const dead = await runKilledMidSync(env, { maxConcurrency: 4, taskBudgetSeconds: 0, leaseSeconds: 90 });
    clock.advance(90_001);
    const later = await env.run({ maxConcurrency: 4, takeOver: true });

    const resume = await env.run({ resumeRunId: dead.executionName });

    expect(later.status).toBe('SUCCEEDED');
    // The dead run was closed when its stale lease was taken over.
    expect(await getRun(table, dead.executionName)).toMatchObject({
      status: 'FAILED',
      error: { name: 'LeaseLostError' },
    });
    expect(resume.error?.Error).toBe('RunSupersededError');
    expect(errorMessage(resume)).toContain(`superseded by run "${later.executionName}"`);
    expect(await getRun(table, dead.executionName)).toMatchObject({ status: 'FAILED' });
    const users = await tableUsers(table);
    expect(users.filter((u) => u.status === 'SOURCE_DELETED')).toEqual([]);
    await expectTableMatchesSource();
    await expectCountersMatchStatuses();
  }, 90_000);

  it('records the failure on the run when a task fails for good, so it can be resumed', async () => {
    await arrange({}, 100);
    const env = syncEnvironment(emulator!, tables, table, pools, clock);
    const brokenMemberships = (handler: (event: unknown) => Promise<unknown>) => async (event: unknown) => {
      if ((event as { task: string }).task === 'memberships') throw new TypeError('members exploded');
      return handler(event);
    };

    const result = await env.run({}, brokenMemberships);

    expect(result.status).toBe('FAILED');
    expect(result.error?.Error).toBe('TypeError');
    expect(await getRun(table, result.executionName)).toMatchObject({
      status: 'FAILED',
      error: { name: 'TypeError', cause: expect.stringContaining('members exploded') },
    });
  });
});
