import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { PostAuthenticationTriggerEvent, PreTokenGenerationTriggerEvent } from 'aws-lambda';
import { ManualClock } from '#shared/clock';
import { migrationEventId, USER_MIGRATED, type UserMigratedDetail } from '#shared/migration-events';
import { EVENT_CLAIM_GRACE_MS } from '#shared/table/migration-events';
import { putLoginKeys } from '#shared/table/login-keys';
import { addCounters } from '#shared/table/progress';
import { getUser, recordMigrated, transitionStatus, upsertSnapshot } from '#shared/table/users';
import { startLocalDynamo, type LocalDynamo } from '#local/dynamodb/index';
import { republishStaleEvents } from '../../functions/reconcile/republish-events';
import { runResetCampaign } from '../../functions/reconcile/reset-campaign';
import postAuthFixture from '../fixtures/events/post-authentication.json';
import preTokenFixture from '../fixtures/events/pre-token-generation.json';
import { aSourceUser } from '../support/users';
import { outcomeOf, startFaultStack, type FaultStack } from './support/fault-stack';

const PASSWORD = 'Legacy-Passw0rd!';
const JANE = { email: 'jane@example.com', email_verified: 'true', name: 'Jane Doe' };

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

/** jane in the source pool and, as a bulk sync leaves her, PENDING in the table. Returns her source sub. */
const arrangeJane = async (s: FaultStack): Promise<string> => {
  const sub = s.emulator.store.createUserDirect(s.source.poolId, {
    username: 'jane',
    attributes: JANE,
    password: PASSWORD,
  }).sub;
  const snapshot = aSourceUser({ username: 'jane', sub, attributes: { ...JANE, sub } });
  await upsertSnapshot(s.table, snapshot);
  await putLoginKeys(s.table, [snapshot]);
  await addCounters(s.table, { total: 1, PENDING: 1 });
  return sub;
};

const migrationEvents = (s: FaultStack) =>
  s.eventBridge.events
    .filter((e) => e.detailType === USER_MIGRATED)
    .map((e) => e.detail as UserMigratedDetail);

const targetSubOf = async (s: FaultStack, username: string) =>
  (
    await s.app.send(new AdminGetUserCommand({ UserPoolId: s.target.poolId, Username: username }))
  ).UserAttributes?.find((a) => a.Name === 'sub')?.Value;

/** The trigger events Cognito sends group-sync for one sign-in of `username` (whose target sub is `sub`). */
const triggerEvents = (s: FaultStack, username: string, sub: string) => {
  const postAuth = structuredClone(postAuthFixture) as unknown as PostAuthenticationTriggerEvent;
  const preToken = structuredClone(preTokenFixture) as unknown as PreTokenGenerationTriggerEvent;
  for (const event of [postAuth, preToken]) {
    event.userPoolId = s.target.poolId;
    event.userName = username;
    event.request.userAttributes = { sub, email: JANE.email, email_verified: 'true' };
  }
  return { postAuth, preToken };
};

describe('UserMigrated events', () => {
  it('publishes one event at the first sign-in with the source and target subs and no attribute value', async () => {
    // The bus a --migration-config names (local start passes its settings as this config).
    stack = await startFaultStack({ dynamo, config: { eventBusName: 'migration-events' } });
    const sourceSub = await arrangeJane(stack);

    await stack.signIn('jane', PASSWORD);
    const events = migrationEvents(stack);

    const targetSub = await targetSubOf(stack, 'jane');
    expect(events).toEqual([
      {
        eventId: migrationEventId({ username: 'jane', sub: sourceSub, targetSub }),
        sourceUsername: 'jane',
        sourceSub,
        targetUsername: 'jane',
        targetSub,
        method: 'password',
        migratedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
    expect(stack.eventBridge.events[0]).toMatchObject({
      source: 'cognito-migrate',
      eventBusName: 'migration-events',
    });
    expect(JSON.stringify(stack.eventBridge.events)).not.toMatch(/jane@example\.com|Jane Doe/);
    expect(await getUser(stack.table, 'jane')).toMatchObject({
      targetSub,
      eventPublishedAt: expect.any(String),
    });
  });

  it('publishes one event when Cognito retries the triggers and the user signs in again', async () => {
    stack = await startFaultStack({ dynamo });
    await arrangeJane(stack);
    await stack.signIn('jane', PASSWORD);
    const { postAuth, preToken } = triggerEvents(stack, 'jane', (await targetSubOf(stack, 'jane'))!);

    await stack.functions.groupSync(postAuth);
    await stack.functions.groupSync(preToken);
    await stack.functions.groupSync(postAuth);
    await stack.signIn('jane', PASSWORD);

    expect(migrationEvents(stack)).toHaveLength(1);
  });

  it('publishes one event when both triggers of many concurrent sign-ins race to bind the target sub', async () => {
    stack = await startFaultStack({ dynamo });
    const sourceSub = await arrangeJane(stack);
    // As the UserMigration trigger leaves her: MIGRATED, target sub not seen yet.
    await recordMigrated(stack.table, 'jane', { method: 'password', targetUsername: 'jane', sub: sourceSub });
    const { postAuth, preToken } = triggerEvents(stack, 'jane', 'a1b2c3d4-0000-4000-8000-00000000beef');

    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        stack!.functions.groupSync(structuredClone(i % 2 ? postAuth : preToken)),
      ),
    );

    expect(migrationEvents(stack)).toEqual([
      expect.objectContaining({ sourceSub, targetSub: 'a1b2c3d4-0000-4000-8000-00000000beef' }),
    ]);
  });

  it('publishes one event when the same user signs in on two devices at once', async () => {
    stack = await startFaultStack({ dynamo, emulator: { latency: { fixedMs: 20, jitterMs: 30 }, seed: 5 } });
    await arrangeJane(stack);

    const outcomes = await Promise.all([
      outcomeOf(stack.signIn('jane', PASSWORD)),
      outcomeOf(stack.signIn('JANE@example.com', PASSWORD)),
    ]);
    await stack.signIn('jane', PASSWORD);

    expect(outcomes.some((o) => o.ok)).toBe(true);
    expect(migrationEvents(stack)).toEqual([
      expect.objectContaining({ targetSub: await targetSubOf(stack, 'jane') }),
    ]);
  });

  it.each(['http', 'entry'] as const)(
    'keeps the event owed when PutEvents fails (%s), and the reconciler publishes it exactly once',
    async (mode) => {
      // Group-sync stamps its claim with real time; the reconciler runs on this clock.
      const clock = new ManualClock(Date.now());
      stack = await startFaultStack({ dynamo, functionClock: clock });
      await arrangeJane(stack);
      // Every attempt of the sign-in's publish fails (the SDK retries an HTTP 500 itself).
      stack.eventBridge.failNext(10, mode);

      const signedIn = await stack.signIn('jane', PASSWORD);
      const owed = await getUser(stack.table, 'jane');
      stack.eventBridge.clearFaults();

      expect(signedIn.AuthenticationResult?.AccessToken).toBeDefined();
      expect(migrationEvents(stack)).toEqual([]);
      expect(owed?.eventOutbox).toBeDefined();

      // Within the grace the claim is the sign-in's; after it, the reconciler takes it over.
      const reconciler = stack.functions.reconcileDeps(clock);
      expect((await republishStaleEvents(reconciler)).published).toBe(0);
      clock.advance(EVENT_CLAIM_GRACE_MS + 60_000);
      const [first, second] = await Promise.all([
        republishStaleEvents(reconciler),
        republishStaleEvents(stack.functions.reconcileDeps(clock)),
      ]);
      const again = await republishStaleEvents(reconciler);

      expect(first.published + second.published).toBe(1);
      expect(again.examined).toBe(0);
      expect(migrationEvents(stack)).toEqual([
        expect.objectContaining({ sourceUsername: 'jane', targetSub: await targetSubOf(stack, 'jane') }),
      ]);
      expect((await getUser(stack.table, 'jane'))?.eventOutbox).toBeUndefined();
    },
  );

  it.each([
    ['is bound and published when the target user carries her legacy sub', true],
    ['stays unknown when the target user carries someone else’s legacy sub', false],
  ])('the target sub of a migrated user never seen signing in %s', async (_, hers) => {
    stack = await startFaultStack({ dynamo });
    const sourceSub = await arrangeJane(stack);
    await recordMigrated(stack.table, 'jane', {
      method: 'forgot-password',
      targetUsername: 'jane',
      sub: sourceSub,
    });
    const target = stack.emulator.store.createUserDirect(stack.target.poolId, {
      username: 'jane',
      attributes: { email: JANE.email, 'custom:legacy_sub': hers ? sourceSub : 'someone-else' },
      status: 'RESET_REQUIRED',
    });

    const result = await republishStaleEvents(stack.functions.reconcileDeps());

    expect((await getUser(stack.table, 'jane'))?.targetSub).toBe(hers ? target.sub : undefined);
    expect(migrationEvents(stack)).toEqual(hers ? [expect.objectContaining({ targetSub: target.sub })] : []);
    expect(result).toMatchObject(hers ? { resolved: 1, awaitingSub: 0 } : { resolved: 0, awaitingSub: 1 });
  });

  it('publishes the campaign user’s event once, with the sub AdminCreateUser returned', async () => {
    const clock = new ManualClock(Date.parse('2030-01-02T00:00:00Z'));
    stack = await startFaultStack({ dynamo, functionClock: clock });
    const sourceSub = await arrangeJane(stack);
    await transitionStatus(stack.table, 'jane', { from: ['PENDING'], to: 'FLAGGED_FOR_RESET' });

    const report = await runResetCampaign(stack.functions.reconcileDeps(clock));
    const again = await runResetCampaign(stack.functions.reconcileDeps(clock));

    expect(report.counts['reset-sent']).toBe(1);
    expect(again.counts['reset-sent']).toBe(0);
    expect(migrationEvents(stack)).toEqual([
      expect.objectContaining({
        sourceSub,
        targetSub: await targetSubOf(stack, 'jane'),
        method: 'reset-campaign',
      }),
    ]);
  });
});
