import {
  AdminAddUserToGroupCommand,
  AdminInitiateAuthCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  CreateGroupCommand,
  GetGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { systemClock, type Clock } from '#shared/clock';
import { createTargetCognitoClient } from '#shared/clients';
import { parseConfig } from '#shared/config';
import { putGroup } from '#shared/table/groups';
import { silentLogger } from '#shared/logger';
import { createRateLimiter } from '#shared/rate-limiter';
import type { TableContext } from '#shared/table/context';
import { addUserGroups, getUser, recordMigrated, upsertSnapshot } from '#shared/table/users';
import { dispatch, type GroupSyncEvent } from '../../../functions/group-sync/dispatch';
import type { PostAuthenticationDeps } from '../../../functions/group-sync/post-authentication';
import { TOKEN_GRACE_MS } from '../../../functions/group-sync/pre-token-generation';
import { startLocalTables, type LocalTableHarness } from '../../support/local-table';
import { aSourceUser } from '../../support/users';
import {
  claimsOf,
  createConfirmedUser,
  createPool,
  PASSWORD,
  startHarness,
  stopHarness,
  type Harness,
} from '../cognito-emulator/helpers';

const GROUP_SYNC_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:group-sync';
const SOURCE_ROLE = 'arn:aws:iam::111111111111:role/source-c';
const TARGET_ROLE = 'arn:aws:iam::222222222222:role/target-c';
const TRIGGER_BUDGET_MS = 5000;

/** Real time plus an offset the test can move forward (to step past TOKEN_GRACE_MS). */
const offsetClock = (): Clock & { offset: number } => {
  const clock = { offset: 0, now: () => Date.now() + clock.offset, sleep: systemClock.sleep };
  return clock;
};

let tables: LocalTableHarness;
let h: Harness;
const lambdaMock = mockClient(LambdaClient);

beforeAll(async () => {
  tables = await startLocalTables();
  // Account quotas as AWS's defaults (UserUpdate 25/s). CreateGroup's 15/s is lifted only so the
  // test can set up 100 target groups quickly; group-sync's own calls meet the default quotas.
  h = await startHarness({ quotas: { overrides: { UserPoolResourceUpdate: 10_000 } } });
});

afterAll(async () => {
  await stopHarness(h);
  await tables?.close();
});

interface World {
  poolId: string;
  clientId: string;
  table: TableContext;
  deps: PostAuthenticationDeps;
  clock: ReturnType<typeof offsetClock>;
  /** Continuations the fake Lambda client started, to await. */
  continuations: Promise<unknown>[];
  /** Group calls group-sync's own Cognito client made. */
  groupCalls: () => number;
}

const aWorld = async (): Promise<World> => {
  const { poolId, clientId } = await createPool(h, {
    LambdaConfig: { PreTokenGeneration: GROUP_SYNC_ARN, PostAuthentication: GROUP_SYNC_ARN },
  });
  const clock = offsetClock();
  const table = await tables.newTable(clock);
  const config = parseConfig({
    source: { userPoolId: 'us-east-1_Source1', region: 'us-east-1', migrationClientId: 'client' },
    // The emulator's pool id carries its Region; the configuration must say the same.
    target: { userPoolId: poolId, region: poolId.split('_')[0] },
    tableName: table.tableName,
    migrationWindowEnd: '2026-12-31T00:00:00Z',
    groupRoleArnMap: { [SOURCE_ROLE]: TARGET_ROLE },
    endpoints: { cognito: h.emulator.endpoint },
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const cognito = createTargetCognitoClient(config, { clock, limiter: createRateLimiter({ config, clock }) });
  const send = jest.spyOn(cognito, 'send');
  const continuations: Promise<unknown>[] = [];
  const lambda = new LambdaClient({ region: 'us-east-1' });
  const deps: PostAuthenticationDeps = {
    config,
    clock,
    logger: silentLogger,
    cognito,
    table,
    lambda,
    functionName: 'group-sync',
  };
  // An 'Event' invocation returns at once and runs later: call the handler in-process, unawaited.
  lambdaMock.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) => {
    const payload = JSON.parse(Buffer.from(input.Payload).toString('utf8')) as GroupSyncEvent;
    continuations.push(new Promise((resolve) => setImmediate(resolve)).then(() => dispatch(payload, deps)));
    return { StatusCode: 202 };
  });
  h.emulator.registerFunction(GROUP_SYNC_ARN, (event) => dispatch(event, deps));
  const groupCalls = () =>
    send.mock.calls.filter(
      ([command]) => command instanceof AdminAddUserToGroupCommand || command instanceof CreateGroupCommand,
    ).length;
  return { poolId, clientId, table, deps, clock, continuations, groupCalls };
};

/** A user who exists in the target (as lazy-migrate would leave them) and whose record is MIGRATED. */
const aMigratedUser = async (world: World, username: string, groups: string[]) => {
  const user = aSourceUser({ username });
  await upsertSnapshot(world.table, user);
  await addUserGroups(world.table, username, groups);
  await recordMigrated(world.table, username, {
    method: 'password',
    targetUsername: username,
    sub: user.sub,
  });
  await createConfirmedUser(h, world.poolId, username, { email: `${username}@example.com` });
};

const signIn = async (world: World, username: string) => {
  const started = performance.now();
  const { AuthenticationResult } = await h.cognito.send(
    new AdminInitiateAuthCommand({
      UserPoolId: world.poolId,
      ClientId: world.clientId,
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD },
    }),
  );
  // jose is ESM-only and jest runs CommonJS: decode the payload segment directly.
  const idClaims = claimsOf(AuthenticationResult!.IdToken);
  return {
    idGroups: (idClaims['cognito:groups'] as string[] | undefined) ?? [],
    ms: performance.now() - started,
  };
};

const targetGroupsOf = async (world: World, username: string): Promise<string[]> => {
  const names: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await h.cognito.send(
      new AdminListGroupsForUserCommand({
        UserPoolId: world.poolId,
        Username: username,
        Limit: 60,
        NextToken,
      }),
    );
    names.push(...(page.Groups ?? []).map((g) => g.GroupName!));
    NextToken = page.NextToken;
  } while (NextToken);
  return names.sort();
};

/** Awaits every continuation, including those a continuation started. */
const continuationsSettled = async (world: World) => {
  for (let seen = -1; seen !== world.continuations.length;) {
    seen = world.continuations.length;
    await Promise.all(world.continuations);
  }
};

describe('group-sync through the Cognito emulator', () => {
  it('puts a first-time user’s three groups in the first ID token, once, and an admin removal sticks', async () => {
    const world = await aWorld();
    await h.cognito.send(new CreateGroupCommand({ UserPoolId: world.poolId, GroupName: 'a' }));
    await h.cognito.send(new CreateGroupCommand({ UserPoolId: world.poolId, GroupName: 'b' }));
    // 'c' exists only in the snapshot: group-sync creates it with the mapped role.
    await putGroup(world.table, {
      groupName: 'c',
      description: 'Group C',
      precedence: 3,
      sourceRoleArn: SOURCE_ROLE,
    });
    await aMigratedUser(world, 'alice', ['a', 'b', 'c']);

    const first = await signIn(world, 'alice');

    expect([...first.idGroups].sort()).toEqual(['a', 'b', 'c']);
    expect(await targetGroupsOf(world, 'alice')).toEqual(['a', 'b', 'c']);
    const created = await h.cognito.send(new GetGroupCommand({ UserPoolId: world.poolId, GroupName: 'c' }));
    expect(created.Group).toMatchObject({ RoleArn: TARGET_ROLE, Precedence: 3, Description: 'Group C' });
    expect((await getUser(world.table, 'alice'))?.groupsApplied).toBe(true);

    const callsAfterFirst = world.groupCalls();
    await signIn(world, 'alice');
    expect(world.groupCalls()).toBe(callsAfterFirst);

    await h.cognito.send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId: world.poolId, Username: 'alice', GroupName: 'b' }),
    );
    world.clock.offset += TOKEN_GRACE_MS;
    const third = await signIn(world, 'alice');

    expect([...third.idGroups].sort()).toEqual(['a', 'c']);
    expect(await targetGroupsOf(world, 'alice')).toEqual(['a', 'c']);
    expect(world.groupCalls()).toBe(callsAfterFirst);
    expect(world.continuations).toHaveLength(0);
  });

  it('signs a user in 100 groups in within the trigger budget under the UserUpdate quota and ends with all 100', async () => {
    const world = await aWorld();
    const groups = Array.from({ length: 100 }, (_, i) => `g${String(i).padStart(3, '0')}`);
    for (const name of groups) {
      await h.cognito.send(new CreateGroupCommand({ UserPoolId: world.poolId, GroupName: name }));
    }
    await aMigratedUser(world, 'bob', groups);

    const first = await signIn(world, 'bob');
    const inline = world.groupCalls();
    await continuationsSettled(world);

    expect(first.ms).toBeLessThan(TRIGGER_BUDGET_MS);
    expect(first.idGroups).toHaveLength(100);
    expect(inline).toBeLessThan(100);
    expect(world.continuations.length).toBeGreaterThan(0);
    expect(await targetGroupsOf(world, 'bob')).toEqual(groups);
    expect((await getUser(world.table, 'bob'))?.groupsApplied).toBe(true);
  }, 60_000);
});
