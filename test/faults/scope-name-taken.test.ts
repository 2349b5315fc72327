import {
  AdminConfirmSignUpCommand,
  AdminUpdateUserAttributesCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { USER_MIGRATED, type UserMigratedDetail } from '#shared/migration-events';
import { getUser } from '#shared/table/users';
import { startLocalDynamo, type LocalDynamo } from '#local/dynamodb/index';
import { outcomeOf, startFaultStack, type FaultStack } from './support/fault-stack';

const PASSWORD = 'Legacy-Passw0rd!';
const STRANGER_PASSWORD = 'Stranger-Passw0rd!';

let dynamo: LocalDynamo;
let stack: FaultStack;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  stack = await startFaultStack({
    dynamo,
    config: { migrationScope: { attribute: 'custom:tenant', values: ['acme'] } },
  });
});
afterAll(async () => {
  await stack.close();
  await dynamo.close();
});

/**
 * An out-of-scope user's name is free in the target, so a stranger may take it; when that user later
 * comes into scope, nothing may pair their old sub with the stranger's new one (the sub map, an
 * event): applications would hand the user's data to the stranger.
 */
describe('a name a stranger took while its source user was out of scope', () => {
  it('never enters the sub map or an event as that user, once they come into scope: NEEDS_ADMIN instead', async () => {
    stack.emulator.store.createUserDirect(stack.source.poolId, {
      username: 'gary',
      attributes: { email: 'gary@example.com', email_verified: 'true', 'custom:tenant': 'globex' },
      password: PASSWORD,
    });
    expect((await stack.functions.bulkSync({})).status).toBe('SUCCEEDED');
    // The guard lets the stranger through: gary is not this target's user (yet).
    await stack.app.send(
      new SignUpCommand({
        ClientId: stack.target.clientId,
        Username: 'gary',
        Password: STRANGER_PASSWORD,
        UserAttributes: [{ Name: 'email', Value: 'stranger@example.com' }],
      }),
    );
    await stack.app.send(
      new AdminConfirmSignUpCommand({ UserPoolId: stack.target.poolId, Username: 'gary' }),
    );
    await stack.signIn('gary', STRANGER_PASSWORD);
    // gary moves to acme; the next sync snapshots him, and the window closes without his sign-in.
    await stack.app.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: stack.source.poolId,
        Username: 'gary',
        UserAttributes: [{ Name: 'custom:tenant', Value: 'acme' }],
      }),
    );
    expect((await stack.functions.bulkSync({})).status).toBe('SUCCEEDED');
    const garySignIn = await outcomeOf(stack.signIn('gary', PASSWORD));

    await stack.functions.reconcile({ action: 'reconcile' }, { windowClosed: true });
    await stack.functions.reconcile({ action: 'reset-campaign' }, { windowClosed: true });
    await stack.signIn('gary', STRANGER_PASSWORD);
    await stack.functions.idle();

    expect(garySignIn).toMatchObject({ ok: false, name: 'NotAuthorizedException' });
    const record = await getUser(stack.table, 'gary');
    expect(record).toMatchObject({ status: 'NEEDS_ADMIN', reason: 'TARGET_USERNAME_TAKEN' });
    expect(record).not.toHaveProperty('targetSub');
    const events = stack.eventBridge.events
      .filter((e) => e.detailType === USER_MIGRATED)
      .map((e) => e.detail as UserMigratedDetail);
    expect(events.filter((e) => e.sourceUsername === 'gary')).toEqual([]);
  }, 60_000);
});
