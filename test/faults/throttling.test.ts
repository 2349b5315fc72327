import { ListUsersCommand, type UserType } from '@aws-sdk/client-cognito-identity-provider';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ManualClock } from '#shared/clock';
import { getProgress } from '#shared/table/progress';
import { reconcile } from '../../functions/reconcile/reconcile';
import { runResetCampaign } from '../../functions/reconcile/reset-campaign';
import { FAULT_WINDOW_END, startFaultStack, type FaultStack } from './support/fault-stack';

const PASSWORD = 'Legacy-Passw0rd!';
const USERS = 30;
const SIGNING_IN = 12;
/** Every Cognito operation the three mechanisms call; AWS answers a throttle with TooManyRequestsException. */
const THROTTLED_OPERATIONS = [
  'DescribeUserPool',
  'ListUsers',
  'ListGroups',
  'ListUsersInGroup',
  'CreateGroup',
  'GetGroup',
  'AdminInitiateAuth',
  'AdminGetUser',
  'RevokeToken',
  'AdminCreateUser',
  'AdminSetUserPassword',
  'AdminResetUserPassword',
  'AdminAddUserToGroup',
  'AdminListGroupsForUser',
  'AdminDisableUser',
];

let stack: FaultStack;
const clock = new ManualClock(Date.parse('2029-06-01T00:00:00Z'));

beforeAll(async () => {
  stack = await startFaultStack({
    functionClock: clock,
    emulator: {
      seed: 30,
      faults: Object.fromEntries(
        THROTTLED_OPERATIONS.map((op) => [op, { rate: 0.3, error: 'TooManyRequestsException' }]),
      ),
    },
    // One SDK attempt: every throttle reaches the migrator's own handling (state machine Retry,
    // rate limiter, refusal and retry by the app).
    config: { sdk: { maxAttempts: 1, connectionTimeoutMs: 1000, requestTimeoutMs: 3000 } },
  });
  for (const group of ['admins', 'editors']) {
    await retry(() =>
      stack.emulator.call('CreateGroup', { UserPoolId: stack.source.poolId, GroupName: group }),
    );
  }
  for (let i = 0; i < USERS; i += 1) {
    stack.emulator.store.createUserDirect(stack.source.poolId, {
      username: `user${String(i).padStart(2, '0')}`,
      attributes: { email: `user${i}@example.com`, email_verified: 'true' },
      password: PASSWORD,
      groups: i % 3 === 0 ? ['admins'] : i % 3 === 1 ? ['editors'] : [],
    });
  }
});
afterAll(() => stack.close());

const allTargetUsers = async (): Promise<UserType[]> => {
  const users: UserType[] = [];
  let token: string | undefined;
  do {
    // The test's own reads retry through injected throttles too.
    const page = await retry(() =>
      stack.app.send(new ListUsersCommand({ UserPoolId: stack.target.poolId, PaginationToken: token })),
    );
    users.push(...(page.Users ?? []));
    token = page.PaginationToken;
  } while (token);
  return users;
};

/** What an app does on a failed call: try again (bounded, so a real bug still fails the test). */
const retry = async <T>(call: () => Promise<T>, attempts = 20): Promise<T> => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
};

describe('30 % of Cognito calls throttled (seeded TooManyRequestsException)', () => {
  it('completes bulk sync, lazy migration and the reset campaign, and the table matches the source exactly', async () => {
    const sync = await stack.functions.bulkSync({ taskBudgetSeconds: 5, maxConcurrency: 4 });
    for (let i = 0; i < SIGNING_IN; i += 1) {
      await retry(() => stack.signIn(`user${String(i).padStart(2, '0')}`, PASSWORD));
    }
    await stack.functions.idle();
    clock.advance(Date.parse(FAULT_WINDOW_END) + 60_000 - clock.now());
    // One user at a time keeps the seeded fault sequence meeting the same calls run after run.
    // A campaign run stops at a throttle that outlasts its retries; the schedule runs it again.
    const deps = { ...stack.functions.reconcileDeps(clock), concurrency: 1 };
    for (let run = 0; run < 60; run += 1) {
      await reconcile(deps, {}).catch(() => undefined);
      await runResetCampaign(deps, {}).catch(() => undefined);
      const { byStatus } = await getProgress(stack.table);
      if ((byStatus.PENDING ?? 0) + (byStatus.FLAGGED_FOR_RESET ?? 0) === 0) break;
    }
    deps.source.destroy();
    deps.target.destroy();

    const items = (
      await stack.table.doc.send(
        new ScanCommand({
          TableName: stack.table.tableName,
          FilterExpression: 'sk = :user',
          ExpressionAttributeValues: { ':user': 'USER' },
        }),
      )
    ).Items!;
    const source = [...stack.emulator.store.pool(stack.source.poolId).users.values()];
    const target = await allTargetUsers();
    const progress = await getProgress(stack.table);

    expect(sync.status).toBe('SUCCEEDED');
    expect(items.map((i) => [i.username, i.sub]).sort()).toEqual(
      source.map((u) => [u.username, u.sub]).sort(),
    );
    expect(target.map((u) => u.Username).sort()).toEqual(source.map((u) => u.username).sort());
    expect(progress.total).toBe(USERS);
    // Every user accounted for, none left waiting, and every straggler reset: a throttled
    // AdminResetUserPassword (TooManyRequestsException, so not applied) clears the campaign's
    // marker and the rerun retries the reset instead of handing the user to an administrator.
    expect(progress.byStatus).toMatchObject({
      MIGRATED: SIGNING_IN,
      RESET_SENT: USERS - SIGNING_IN,
      NEEDS_ADMIN: 0,
      PENDING: 0,
      FLAGGED_FOR_RESET: 0,
    });
    for (const item of items) {
      const expected = source.find((u) => u.username === item.username)!;
      expect({ username: item.username, groups: [...((item.groups as Set<string>) ?? [])] }).toEqual({
        username: expected.username,
        groups: [...expected.groups],
      });
    }
  });
});
