import { AdminGetUserCommand, ConfirmForgotPasswordCommand } from '@aws-sdk/client-cognito-identity-provider';
import { ManualClock } from '#shared/clock';
import { getUser } from '#shared/table/users';
import { reconcile } from '../../functions/reconcile/reconcile';
import { runResetCampaign } from '../../functions/reconcile/reset-campaign';
import type { CampaignReport } from '../../functions/reconcile/report';
import { FAULT_WINDOW_END, outcomeOf, startFaultStack, type FaultStack } from './support/fault-stack';
import { PASSWORD, seedSecurityPopulation, USERS } from './support/population';

const GUARDED = [USERS.disabled, USERS.unconfirmed, USERS.federated];

let stack: FaultStack;
let report: CampaignReport;

beforeAll(async () => {
  stack = await startFaultStack();
  seedSecurityPopulation(stack.emulator, stack.source.poolId);
  expect((await stack.functions.bulkSync({ taskBudgetSeconds: 5 })).status).toBe('SUCCEEDED');
  const deps = stack.functions.reconcileDeps(new ManualClock(Date.parse(FAULT_WINDOW_END) + 60_000));
  await reconcile(deps, {});
  report = await runResetCampaign(deps, {});
  deps.source.destroy();
  deps.target.destroy();
});
afterAll(() => stack.close());

describe('the reset campaign and source users who must not migrate', () => {
  it('never makes a disabled, unconfirmed or federated source user an active target user, even with a code it sent', async () => {
    const outcomes = [];
    for (const username of GUARDED) {
      const code = stack.emulator.outbox.latestCode(stack.target.poolId, username);
      if (code) {
        await outcomeOf(
          stack.app.send(
            new ConfirmForgotPasswordCommand({
              ClientId: stack.target.clientId,
              Username: username,
              ConfirmationCode: code,
              Password: `${PASSWORD}-new`,
            }),
          ),
        );
      }
      const found = await outcomeOf(
        stack.app.send(new AdminGetUserCommand({ UserPoolId: stack.target.poolId, Username: username })),
      );
      // Through the target's app client: the UserMigration trigger runs too, and must refuse them.
      const signIn = await outcomeOf(stack.signIn(username, `${PASSWORD}-new`));
      outcomes.push({ username, active: found.ok && found.value.Enabled !== false, signedIn: signIn.ok });
    }

    expect(outcomes).toEqual(GUARDED.map((username) => ({ username, active: false, signedIn: false })));
  });

  it('sends none of them a reset code', () => {
    const sent = GUARDED.flatMap((username) =>
      stack.emulator.outbox.list({ userPoolId: stack.target.poolId, username }),
    );

    expect(sent).toEqual([]);
  });

  it('creates no target user for the federated or unconfirmed one, and the disabled one only disabled', async () => {
    const lookups = await Promise.all(
      GUARDED.map(async (username) => {
        const found = await outcomeOf(
          stack.app.send(new AdminGetUserCommand({ UserPoolId: stack.target.poolId, Username: username })),
        );
        return [username, found.ok ? { enabled: found.value.Enabled } : found.name];
      }),
    );

    expect(Object.fromEntries(lookups)).toEqual({
      [USERS.disabled]: { enabled: false },
      [USERS.unconfirmed]: 'UserNotFoundException',
      [USERS.federated]: 'UserNotFoundException',
    });
  });

  it('hands each to an administrator with a specific reason, in the table and the report', async () => {
    const expected = {
      [USERS.disabled]: 'DISABLED_IN_SOURCE',
      [USERS.unconfirmed]: 'SOURCE_UNCONFIRMED',
      [USERS.federated]: 'FEDERATED_USER',
    };
    const records = await Promise.all(GUARDED.map((username) => getUser(stack.table, username)));

    expect(Object.fromEntries(records.map((r) => [r?.username, [r?.status, r?.reason]]))).toEqual(
      Object.fromEntries(Object.entries(expected).map(([u, reason]) => [u, ['NEEDS_ADMIN', reason]])),
    );
    expect(report.users['needs-admin']).toEqual(
      expect.arrayContaining(Object.entries(expected).map(([username, reason]) => ({ username, reason }))),
    );
  });
});
