/**
 * Differential check: the same calls against the emulator and against moto (an independent
 * Cognito implementation), answers compared. Where the two differ and the AWS documentation
 * sides with the emulator, the case is listed in MOTO_DIFFERS with the reason, and its answers
 * are checked to differ still (so the list stays current).
 */
import * as sdk from '@aws-sdk/client-cognito-identity-provider';
import { startCognitoEmulator, type CognitoEmulator } from '#local/cognito/index';
import { LOCAL_CREDENTIALS } from '#local/dynamodb/index';
import { motoServerPath, startMoto, type Moto } from '../../support/moto';

const MOTO = motoServerPath();
type Client = sdk.CognitoIdentityProviderClient;

/** One scripted case: a fresh pool, some calls, and the part of the answer to compare. */
type Case = (cognito: Client, poolId: string) => Promise<unknown>;

const outcome = async (run: () => Promise<unknown>): Promise<unknown> => {
  try {
    return { ok: await run() };
  } catch (error) {
    return { error: (error as Error).name };
  }
};

const createUser = (
  cognito: Client,
  poolId: string,
  username: string,
  attributes: Record<string, string> = {},
) =>
  cognito.send(
    new sdk.AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: username,
      MessageAction: 'SUPPRESS',
      TemporaryPassword: 'Temp-Passw0rd!',
      UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
    }),
  );

const names = (page: sdk.ListUsersCommandOutput) => (page.Users ?? []).map((u) => u.Username).sort();

const CASES: Record<string, Case> = {
  'AdminCreateUser twice: UsernameExistsException': async (c, poolId) => {
    await createUser(c, poolId, 'jane');
    return outcome(() => createUser(c, poolId, 'jane'));
  },
  'AdminGetUser of an unknown user: UserNotFoundException': (c, poolId) =>
    outcome(() => c.send(new sdk.AdminGetUserCommand({ UserPoolId: poolId, Username: 'nobody' }))),
  'a new user is FORCE_CHANGE_PASSWORD and enabled': async (c, poolId) => {
    await createUser(c, poolId, 'jane');
    const user = await c.send(new sdk.AdminGetUserCommand({ UserPoolId: poolId, Username: 'jane' }));
    return [user.UserStatus, user.Enabled];
  },
  'ListUsers filters email with = and ^=': async (c, poolId) => {
    await createUser(c, poolId, 'a', { email: 'ann@example.com' });
    await createUser(c, poolId, 'b', { email: 'bob@example.com' });
    const exact = await c.send(
      new sdk.ListUsersCommand({ UserPoolId: poolId, Filter: 'email = "ann@example.com"' }),
    );
    const prefix = await c.send(new sdk.ListUsersCommand({ UserPoolId: poolId, Filter: 'email ^= "b"' }));
    return [names(exact), names(prefix)];
  },
  'ListUsers on cognito:user_status in upper case': async (c, poolId) => {
    await createUser(c, poolId, 'a');
    return names(
      await c.send(
        new sdk.ListUsersCommand({
          UserPoolId: poolId,
          Filter: 'cognito:user_status = "FORCE_CHANGE_PASSWORD"',
        }),
      ),
    );
  },
  'ListUsers on cognito:user_status in lower case': async (c, poolId) => {
    await createUser(c, poolId, 'a');
    return names(
      await c.send(
        new sdk.ListUsersCommand({
          UserPoolId: poolId,
          Filter: 'cognito:user_status = "force_change_password"',
        }),
      ),
    );
  },
  'CreateGroup twice: GroupExistsException': async (c, poolId) => {
    await c.send(new sdk.CreateGroupCommand({ UserPoolId: poolId, GroupName: 'g' }));
    return outcome(() => c.send(new sdk.CreateGroupCommand({ UserPoolId: poolId, GroupName: 'g' })));
  },
  'ListUsersInGroup lists the members added': async (c, poolId) => {
    await c.send(new sdk.CreateGroupCommand({ UserPoolId: poolId, GroupName: 'g' }));
    for (const name of ['a', 'b']) {
      await createUser(c, poolId, name);
      await c.send(
        new sdk.AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: name, GroupName: 'g' }),
      );
    }
    const page = await c.send(new sdk.ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: 'g' }));
    return (page.Users ?? []).map((u) => u.Username).sort();
  },
  'GetUserPoolMfaConfig of a new pool': async (c, poolId) =>
    (await c.send(new sdk.GetUserPoolMfaConfigCommand({ UserPoolId: poolId }))).MfaConfiguration,
  'SetUserPoolMfaConfig ON with TOTP, then Get': async (c, poolId) => {
    await c.send(
      new sdk.SetUserPoolMfaConfigCommand({
        UserPoolId: poolId,
        MfaConfiguration: 'ON',
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
    const got = await c.send(new sdk.GetUserPoolMfaConfigCommand({ UserPoolId: poolId }));
    return [got.MfaConfiguration, got.SoftwareTokenMfaConfiguration];
  },
  'SetUserPoolMfaConfig ON without a factor: InvalidParameterException': (c, poolId) =>
    outcome(() =>
      c.send(new sdk.SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'ON' })),
    ),
  'CreateGroup with a RoleArn that is not an ARN': (c, poolId) =>
    outcome(() =>
      c.send(
        new sdk.CreateGroupCommand({ UserPoolId: poolId, GroupName: 'g', RoleArn: 'role-for-the-admins' }),
      ),
    ),
};

/** Cases where moto answers differently from the AWS documentation, which the emulator follows. */
const MOTO_DIFFERS: Record<string, string> = {
  'ListUsers on cognito:user_status in lower case':
    'API_ListUsers documents the cognito:user_status filter as case-insensitive; moto matches case',
  'CreateGroup with a RoleArn that is not an ARN':
    "API_CreateGroup's RoleArn has ArnType constraints (20-2048 characters, arn: pattern); moto accepts any string",
};

if (!MOTO) {
  it('the differential check against moto is skipped: moto_server is not on PATH (pip install "moto[server]")', () => {
    expect(MOTO).toBeUndefined();
  });
} else {
  describe('emulator and moto answer alike', () => {
    let moto: Moto;
    let emulator: CognitoEmulator;
    const clients: Record<'emulator' | 'moto', Client> = {} as never;

    beforeAll(async () => {
      [moto, emulator] = await Promise.all([startMoto(MOTO), startCognitoEmulator()]);
      for (const [name, endpoint] of [
        ['emulator', emulator.endpoint],
        ['moto', moto.endpoint],
      ] as const)
        clients[name] = new sdk.CognitoIdentityProviderClient({
          endpoint,
          region: 'us-east-1',
          credentials: { ...LOCAL_CREDENTIALS },
          maxAttempts: 1,
        });
    }, 30_000);

    afterAll(async () => {
      for (const client of Object.values(clients)) client.destroy();
      await emulator?.close();
      await moto?.stop();
    });

    const answer = async (name: 'emulator' | 'moto', run: Case) => {
      const { UserPool } = await clients[name].send(
        new sdk.CreateUserPoolCommand({ PoolName: 'differential' }),
      );
      return run(clients[name], UserPool!.Id!);
    };

    it.each(Object.keys(CASES).filter((name) => !(name in MOTO_DIFFERS)))('%s', async (name) => {
      const [ours, theirs] = [await answer('emulator', CASES[name]!), await answer('moto', CASES[name]!)];
      expect(ours).toEqual(theirs);
    });

    it.each(Object.keys(MOTO_DIFFERS))('still differs, as listed: %s', async (name) => {
      const [ours, theirs] = [await answer('emulator', CASES[name]!), await answer('moto', CASES[name]!)];
      expect(ours).not.toEqual(theirs);
    });
  });
}
