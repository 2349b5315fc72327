import {
  ConfirmForgotPasswordCommand,
  ListUsersCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { USER_MIGRATED, type UserMigratedDetail } from '#shared/migration-events';
import { startLocalDynamo, type LocalDynamo } from '#local/dynamodb/index';
import { runCli } from '../../cli/index';
import type { SubMapRow } from '../../cli/export/sub-map';
import { testDeps } from '../integration/cli/cli-harness';
import { startFaultStack, type FaultStack } from './support/fault-stack';

const PASSWORD = 'Legacy-Passw0rd!';
const NEW_PASSWORD = 'Brand-New-Passw0rd!';
const USERS = Array.from({ length: 14 }, (_, i) => `user-${String(i).padStart(2, '0')}`);

let dynamo: LocalDynamo;
let stack: FaultStack;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  stack = await startFaultStack({ dynamo });
});
afterAll(async () => {
  await stack.close();
  await dynamo.close();
});

const targetUsers = async (): Promise<UserType[]> => {
  const users: UserType[] = [];
  let token: string | undefined;
  do {
    const page = await stack.app.send(
      new ListUsersCommand({ UserPoolId: stack.target.poolId, Limit: 5, PaginationToken: token }),
    );
    users.push(...(page.Users ?? []));
    token = page.PaginationToken;
  } while (token);
  return users;
};

const forgotPassword = async (username: string, complete: boolean) => {
  await stack.forgotPassword(username);
  if (!complete) return;
  const code = stack.emulator.outbox.latestCode(stack.target.poolId, username, 'reset');
  await stack.app.send(
    new ConfirmForgotPasswordCommand({
      ClientId: stack.target.clientId,
      Username: username,
      ConfirmationCode: code!,
      Password: NEW_PASSWORD,
    }),
  );
  await stack.signIn(username, NEW_PASSWORD);
};

describe('the sub map after a rehearsal', () => {
  it('lists exactly the target pool’s users with their subs, and one event went out per user', async () => {
    for (const username of USERS) {
      stack.emulator.store.createUserDirect(stack.source.poolId, {
        username,
        attributes: { email: `${username}@example.com`, email_verified: 'true' },
        password: PASSWORD,
      });
    }
    expect((await stack.functions.bulkSync({})).status).toBe('SUCCEEDED');
    // The window: password sign-ins, forgot-password completed, one forgot-password never completed.
    for (const username of USERS.slice(0, 6)) await stack.signIn(username, PASSWORD);
    for (const username of USERS.slice(6, 8)) await forgotPassword(username, true);
    await forgotPassword(USERS[8]!, false);
    await stack.functions.idle();
    // The window closes: reconcile (flags the rest, finds the abandoned reset's sub), then the campaign.
    await stack.functions.reconcile({ action: 'reconcile' }, { windowClosed: true });
    await stack.functions.reconcile({ action: 'reset-campaign' }, { windowClosed: true });
    const deps = testDeps({
      connection: {
        config: stack.config,
        table: stack.table,
        source: stack.app,
        target: stack.app,
        close: () => undefined,
      },
    });

    const code = await runCli(['export', 'sub-map', '--format', 'jsonl', '--page-size', '3'], deps);

    const rows = deps.stdout.lines.map((line) => JSON.parse(line) as SubMapRow);
    const inTarget = await targetUsers();
    expect(code).toBe(0);
    expect(inTarget).toHaveLength(USERS.length);
    expect(new Map(rows.map((row) => [row.targetUsername, row.targetSub]))).toEqual(
      new Map(inTarget.map((u) => [u.Username, u.Attributes?.find((a) => a.Name === 'sub')?.Value])),
    );
    expect(rows.map((row) => row.sourceUsername).sort()).toEqual(USERS);
    const sourceSubs = stack.emulator.store.pool(stack.source.poolId).users;
    expect(rows.every((row) => row.sourceSub === sourceSubs.get(row.sourceUsername)?.sub)).toBe(true);
    const events = stack.eventBridge.events
      .filter((e) => e.detailType === USER_MIGRATED)
      .map((e) => e.detail as UserMigratedDetail);
    expect(events.map((e) => `${e.sourceUsername} ${e.sourceSub} ${e.targetSub}`).sort()).toEqual(
      rows.map((row) => `${row.sourceUsername} ${row.sourceSub} ${row.targetSub}`).sort(),
    );
  }, 60_000);
});
