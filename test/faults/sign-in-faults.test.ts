import { createServer } from 'node:net';
import { ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { Clock } from '#shared/clock';
import { putLoginKeys } from '#shared/table/login-keys';
import { addCounters, getProgress } from '#shared/table/progress';
import { getUser, upsertSnapshot } from '#shared/table/users';
import { startLocalDynamo, type LocalDynamo } from '#local/dynamodb/index';
import { reconcile } from '../../functions/reconcile/reconcile';
import { aSourceUser } from '../support/users';
import { outcomeOf, startFaultStack, type FaultStack } from './support/fault-stack';

const PASSWORD = 'Legacy-Passw0rd!';

let dynamo: LocalDynamo;
let stack: FaultStack | undefined;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});
afterAll(() => dynamo.close());

/** A port nothing listens on: connections are refused at once, like a table endpoint that is down. */
const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};

/** jane in the source pool and, as a bulk sync leaves her, PENDING in the table. */
const arrangeJane = async (s: FaultStack) => {
  s.emulator.store.createUserDirect(s.source.poolId, {
    username: 'jane',
    attributes: { email: 'jane@example.com', email_verified: 'true' },
    password: PASSWORD,
  });
  const snapshot = aSourceUser({
    username: 'jane',
    sub: s.emulator.store.pool(s.source.poolId).users.get('jane')!.sub,
    attributes: { email: 'jane@example.com', email_verified: 'true' },
  });
  await upsertSnapshot(s.table, snapshot);
  await putLoginKeys(s.table, [snapshot]);
  await addCounters(s.table, { total: 1, PENDING: 1 });
};

const targetUsers = async (s: FaultStack) =>
  (await s.app.send(new ListUsersCommand({ UserPoolId: s.target.poolId }))).Users ?? [];

describe('sign-in under faults', () => {
  it('migrates a user signing in on two devices at once exactly once: one target user, one MIGRATED record, counters +1', async () => {
    stack = await startFaultStack({ dynamo, emulator: { latency: { fixedMs: 20, jitterMs: 30 }, seed: 3 } });
    await arrangeJane(stack);

    const [phone, laptop] = await Promise.all([
      outcomeOf(stack.signIn('jane', PASSWORD)),
      outcomeOf(stack.signIn('JANE@example.com', PASSWORD)),
    ]);
    const progress = await getProgress(stack.table);

    expect([phone.ok, laptop.ok]).toContain(true);
    expect((await targetUsers(stack)).map((u) => u.Username)).toEqual(['jane']);
    expect(await getUser(stack.table, 'jane')).toMatchObject({ status: 'MIGRATED', method: 'password' });
    expect(progress.byStatus).toMatchObject({ MIGRATED: 1, PENDING: 0 });
    expect(progress.total).toBe(1);
    // The device that lost the race signs in with the same password, now without the trigger.
    expect((await stack.signIn('jane', PASSWORD)).AuthenticationResult?.AccessToken).toBeDefined();
  });

  it('signs the user in while the table is unreachable, and the reconciler records the migration afterwards', async () => {
    const port = await closedPort();
    stack = await startFaultStack({
      dynamo,
      config: {
        endpoints: { dynamodb: `http://127.0.0.1:${port}` },
        sdk: { maxAttempts: 1, connectionTimeoutMs: 200, requestTimeoutMs: 500 },
      },
    });
    await arrangeJane(stack);

    const signedIn = await stack.signIn('jane', PASSWORD);
    const before = await getUser(stack.table, 'jane');
    const deps = { ...stack.functions.reconcileDeps(), table: stack.table };
    await reconcile(deps, {});
    deps.source.destroy();
    deps.target.destroy();

    expect(signedIn.AuthenticationResult?.AccessToken).toBeDefined();
    expect(before).toMatchObject({ status: 'PENDING' });
    expect(await getUser(stack.table, 'jane')).toMatchObject({ status: 'MIGRATED' });
    expect((await getProgress(stack.table)).byStatus).toMatchObject({ MIGRATED: 1, PENDING: 0 });
  });

  it('refuses cleanly well inside 5 s when the source answers after the trigger deadline, leaving no partial user', async () => {
    let release = () => {};
    const slowAnswer = new Promise<void>((resolve) => (release = resolve));
    // The emulator sleeps on this clock: the slow AdminInitiateAuth waits for the test to release it.
    const gated: Clock = {
      now: () => Date.now(),
      sleep: (ms) => (ms === 4000 ? slowAnswer : new Promise((resolve) => setTimeout(resolve, ms).unref())),
    };
    stack = await startFaultStack({
      dynamo,
      clock: gated,
      config: { triggerDeadlineMs: 500 },
      emulator: { latency: (operation) => (operation === 'AdminInitiateAuth' ? 4000 : 0) },
    });
    await arrangeJane(stack);

    const started = Date.now();
    const signIn = await outcomeOf(stack.signIn('jane', PASSWORD));
    const elapsedMs = Date.now() - started;
    release();
    await stack.functions.idle();

    expect(signIn).toEqual({
      ok: false,
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    expect(elapsedMs).toBeLessThan(1500);
    expect(await targetUsers(stack)).toEqual([]);
    expect(await getUser(stack.table, 'jane')).toMatchObject({ status: 'PENDING' });
    expect((await getProgress(stack.table)).refusals).toEqual({ DEADLINE_EXCEEDED: 1 });
  });
});
