import { ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { USER_MIGRATED, type UserMigratedDetail } from '#shared/migration-events';
import { seedSourceUsers, signIn, useArtifactStack } from './support/artifact-stack';

/**
 * The UserMigrated event from what ships: the bundled group-sync publishes through
 * AWS_ENDPOINT_URL_EVENTBRIDGE to the bus the deployment configuration names.
 */
const stack = useArtifactStack();

const migrationEvents = () =>
  stack()
    .eventBridge.events.filter((e) => e.detailType === USER_MIGRATED)
    .map((e) => ({ bus: e.eventBusName, detail: e.detail as UserMigratedDetail }));

beforeAll(async () => {
  await seedSourceUsers(stack(), [{ username: 'amy', email: 'amy@example.com' }]);
  expect((await stack().functions.bulkSync({})).status).toBe('SUCCEEDED');
}, 120_000);

describe('artifact mode: migration events', () => {
  it('a sign-in through the bundled functions publishes exactly one event with the source and target subs', async () => {
    const s = stack();
    const sourceSub = s.emulator.store.pool(s.state.source.userPoolId).users.get('amy')!.sub;

    await signIn(s, 'amy@example.com');
    await signIn(s, 'amy@example.com');
    await s.functions.idle();
    const { Users } = await s.cognito.send(
      new ListUsersCommand({ UserPoolId: s.state.target.userPoolId, Filter: 'email = "amy@example.com"' }),
    );
    const targetSub = Users?.[0]?.Attributes?.find((a) => a.Name === 'sub')?.Value;

    expect(targetSub).toBeDefined();
    expect(migrationEvents()).toEqual([
      {
        bus: 'migration-events',
        detail: expect.objectContaining({ sourceUsername: 'amy', sourceSub, targetSub, method: 'password' }),
      },
    ]);
  }, 60_000);
});
