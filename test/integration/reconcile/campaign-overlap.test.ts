import {
  AdminGetUserCommand,
  CreateGroupCommand,
  ConfirmForgotPasswordCommand,
  InitiateAuthCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { ManualClock } from '#shared/clock';
import { createTableContext, type TableContext } from '#shared/table/context';
import { getProgress } from '#shared/table/progress';
import { MIGRATION_STATUSES, type MigrationStatus } from '#shared/table/status';
import { getUser } from '#shared/table/users';
import { startLocalStack, type LocalStack } from '#local/stack';
import type { ReconcileDeps } from '../../../functions/reconcile/deps';
import { flagStragglers } from '../../../functions/reconcile/flag-stragglers';
import { runCampaignSteps, runResetCampaign } from '../../../functions/reconcile/reset-campaign';
import { aSourceUser } from '../../support/users';
import { putInSource, seedSnapshot, SOURCE_PASSWORD } from './harness';

const NEW_PASSWORD = 'Brand-New-Passw0rd!';
const USERS = 16;

let stack: LocalStack;
let clock: ManualClock;
let table: TableContext;
let usernames: string[];

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 11, 2));
  stack = await startLocalStack({
    functionClock: clock,
    migrationWindowEnd: new Date(Date.UTC(2026, 11, 1)).toISOString(),
  });
  table = createTableContext(stack.config, clock);
  const groups = ['staff'];
  usernames = Array.from({ length: USERS }, (_, i) => `u${String(i).padStart(2, '0')}`);
  await stack.cognito.send(
    new CreateGroupCommand({
      UserPoolId: stack.state.source.userPoolId,
      GroupName: 'staff',
    }),
  );
  const users = usernames.map((username, i) => {
    const memberOf = i % 2 ? groups : [];
    const { sub } = putInSource(
      stack.emulator,
      stack.state.source.userPoolId,
      aSourceUser({ username }),
      memberOf,
    );
    // What a bulk sync records, without running one: the snapshot carries the source's real sub.
    return { ...aSourceUser({ username, sub }), groups: memberOf };
  });
  await seedSnapshot(table, users, groups);
  const flagged = await flagStragglers(stack.functions.reconcileDeps(clock));
  expect(flagged.flagged).toHaveLength(USERS);
});
afterEach(async () => {
  table.doc.destroy();
  await stack.close();
});

const campaignDeps = (): ReconcileDeps => ({ ...stack.functions.reconcileDeps(clock), concurrency: 4 });

type Step = 'initialize';
const around = (
  client: CognitoIdentityProviderClient,
  name: string,
  hook: (command: string, input: { Username?: string }, call: () => Promise<unknown>) => Promise<unknown>,
) =>
  client.middlewareStack.add(
    (next, context) => (args) =>
      hook(String(context.commandName), args.input as { Username?: string }, () => next(args)) as ReturnType<
        typeof next
      >,
    { step: 'initialize' satisfies Step, name },
  );

/** A user typing their old password in the app: the target's UserMigration trigger moves them. */
const signInWithOldPassword = (username: string) =>
  stack.cognito
    .send(
      new InitiateAuthCommand({
        ClientId: stack.state.target.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: SOURCE_PASSWORD },
      }),
    )
    .then(
      () => true,
      // The campaign created them first: the old password no longer opens the target account.
      () => false,
    );

/**
 * What every scenario must end with: each source user recorded exactly once, the counters equal
 * to the per-status counts, and each RESET_SENT user RESET_REQUIRED in the target, sent one code
 * with which they set a new password and sign in.
 */
const expectNothingLostDoubledOrDead = async () => {
  const counts = Object.fromEntries(MIGRATION_STATUSES.map((s) => [s, 0])) as Record<MigrationStatus, number>;
  const byUser = new Map<string, MigrationStatus>();
  for (const username of usernames) {
    const record = await getUser(table, username);
    counts[record!.status] += 1;
    byUser.set(username, record!.status);
  }
  const progress = await getProgress(table);
  expect(progress.total).toBe(USERS);
  expect(progress.byStatus).toEqual(counts);
  expect(counts.MIGRATED + counts.RESET_SENT).toBe(USERS);

  const targetPool = stack.state.target.userPoolId;
  for (const [username, status] of byUser) {
    // Recorded MIGRATED by a sign-in: the old password opens the target account (again, if the
    // first attempt lost the race with the campaign's AdminCreateUser).
    if (status === 'MIGRATED') {
      expect({ username, signedIn: await signInWithOldPassword(username) }).toEqual({
        username,
        signedIn: true,
      });
      continue;
    }
    const target = await stack.cognito.send(
      new AdminGetUserCommand({ UserPoolId: targetPool, Username: username }),
    );
    const codes = stack.emulator.outbox
      .list({ userPoolId: targetPool, username })
      .filter((m) => m.kind === 'reset');
    expect({ username, status: target.UserStatus, codes: codes.length }).toEqual({
      username,
      status: 'RESET_REQUIRED',
      codes: 1,
    });
    await stack.cognito.send(
      new ConfirmForgotPasswordCommand({
        ClientId: stack.state.target.clientId,
        Username: username,
        ConfirmationCode: stack.emulator.outbox.latestCode(targetPool, username, 'reset'),
        Password: NEW_PASSWORD,
      }),
    );
    const auth = await stack.cognito.send(
      new InitiateAuthCommand({
        ClientId: stack.state.target.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: NEW_PASSWORD },
      }),
    );
    expect(auth.AuthenticationResult?.IdToken).toBeDefined();
  }
  return counts;
};

describe('two reset campaigns on the same users at once', () => {
  it('records every user once and leaves every RESET_SENT user one working code, with sign-ins during both', async () => {
    const first = campaignDeps();
    const second = campaignDeps();
    // Every fourth user types their old password while either campaign is creating someone.
    const signers = usernames.filter((_, i) => i % 4 === 0);
    const signedIn: string[] = [];
    for (const deps of [first, second]) {
      around(deps.target, 'signInsDuring', async (command, _input, call) => {
        const signer = command === 'AdminCreateUserCommand' ? signers.shift() : undefined;
        if (signer && (await signInWithOldPassword(signer))) signedIn.push(signer);
        return call();
      });
    }

    // Past the lease, as after a stale-lease takeover while the old holder still runs.
    const reports = await Promise.all([
      runCampaignSteps(first, { campaignId: 'first' }),
      runCampaignSteps(second, { campaignId: 'second' }),
    ]);
    await stack.functions.idle();
    // A user skipped by both (each saw the other between its marker and its call) waits for the next run.
    const rerun = await runResetCampaign(campaignDeps());

    expect(reports.map((r) => r.aborted)).toEqual([undefined, undefined]);
    expect(rerun.complete).toBe(true);
    expect(signedIn.length).toBeGreaterThan(0);
    const counts = await expectNothingLostDoubledOrDead();
    expect(counts.MIGRATED).toBeGreaterThanOrEqual(signedIn.length);
    for (const username of signedIn) expect((await getUser(table, username))?.status).toBe('MIGRATED');
  });
});

describe('a reset campaign killed mid-user, then run again', () => {
  it.each([
    'AdminCreateUserCommand',
    'AdminSetUserPasswordCommand',
    'AdminAddUserToGroupCommand',
    'AdminResetUserPasswordCommand',
  ])('finishes every user exactly once after a kill right after %s', async (killedAfter) => {
    // One user in flight, so the kill lands right after that call and nowhere else.
    const dying = { ...campaignDeps(), concurrency: 1 };
    let calls = 0;
    let dead = false;
    around(dying.target, 'kill', async (command, _input, call) => {
      // A dead process makes no further call.
      if (dead) throw new Error('killed');
      const result = await call();
      if (command === killedAfter && ++calls === 3) {
        dead = true;
        throw new Error('killed');
      }
      return result;
    });

    // Nor any table write: a dead process makes no further write either.
    dying.table.doc.middlewareStack.add(
      (next) => (args) => {
        if (dead) throw new Error('killed');
        return next(args);
      },
      { step: 'initialize', name: 'killTable' },
    );
    // Without the lease: a killed holder's lease goes STALE and is taken over on purpose (leases.ts);
    // what is tested here is where each user stands after the kill.
    const first = await runCampaignSteps(dying, { campaignId: 'killed' });
    const second = await runResetCampaign(campaignDeps(), { campaignId: 'rerun' });

    expect(first.aborted?.message).toMatch(/killed/);
    expect(second.complete).toBe(true);
    expect(second.counts['needs-admin']).toBe(0);
    const counts = await expectNothingLostDoubledOrDead();
    expect(counts.RESET_SENT).toBe(USERS);
  });
});
