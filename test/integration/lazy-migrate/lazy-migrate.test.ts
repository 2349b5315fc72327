import { emulatorClient } from '../../support/emulator-client';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { parseConfig } from '#shared/config';
import { silentLogger } from '#shared/logger';
import { putLoginKeys } from '#shared/table/login-keys';
import { getProgress } from '#shared/table/progress';
import type { TableContext } from '#shared/table/context';
import { getUser, upsertSnapshot } from '#shared/table/users';
import { startCognitoEmulator, type CognitoEmulator } from '#local/cognito/index';
import { createDeps, type LazyMigrateDeps } from '../../../functions/lazy-migrate/deps';
import { handleLazyMigrate, type LazyMigrateEvent } from '../../../functions/lazy-migrate/migrate-user';
import { noMetrics } from '../../../functions/lazy-migrate/metrics';
import { SIGN_UP_CONFLICT_MESSAGE } from '../../../functions/lazy-migrate/pre-sign-up';
import { startLocalTables, type LocalTableHarness } from '../../support/local-table';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:lazy-migrate';
const PASSWORD = 'Legacy-Passw0rd!';

let tables: LocalTableHarness;
let emulator: CognitoEmulator;
let admin: CognitoIdentityProviderClient;
let table: TableContext;
let deps: LazyMigrateDeps;
let trigger: (event: LazyMigrateEvent) => Promise<LazyMigrateEvent>;
let target: { poolId: string; clientId: string };
let sourceSub: string;

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: Error) => e,
  );

beforeAll(async () => {
  tables = await startLocalTables();
  emulator = await startCognitoEmulator({ functions: { [ARN]: (event) => trigger(event) } });
  admin = emulatorClient(emulator);
});
afterAll(async () => {
  admin.destroy();
  await emulator.close();
  await tables.close();
});

beforeEach(async () => {
  table = await tables.newTable();
  const { UserPool: sourcePool } = await admin.send(new CreateUserPoolCommand({ PoolName: 'source' }));
  const { UserPoolClient: sourceClient } = await admin.send(
    new CreateUserPoolClientCommand({
      UserPoolId: sourcePool!.Id!,
      ClientName: 'migration',
      GenerateSecret: true,
      ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  const { UserPool: targetPool } = await admin.send(
    new CreateUserPoolCommand({
      PoolName: 'target',
      LambdaConfig: { UserMigration: ARN, PreSignUp: ARN },
      Schema: [{ Name: 'legacy_sub', AttributeDataType: 'String' }],
      UsernameConfiguration: { CaseSensitive: false },
    }),
  );
  const { UserPoolClient: targetClient } = await admin.send(
    new CreateUserPoolClientCommand({
      UserPoolId: targetPool!.Id!,
      ClientName: 'app',
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  target = { poolId: targetPool!.Id!, clientId: targetClient!.ClientId! };

  const attributes = { email: 'jane@example.com', email_verified: 'true', name: 'Jane' };
  await admin.send(
    new AdminCreateUserCommand({
      UserPoolId: sourcePool!.Id!,
      Username: 'jane',
      MessageAction: 'SUPPRESS',
      UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
    }),
  );
  await admin.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: sourcePool!.Id!,
      Username: 'jane',
      Password: PASSWORD,
      Permanent: true,
    }),
  );
  const sourceUser = await admin.send(
    new AdminGetUserCommand({ UserPoolId: sourcePool!.Id!, Username: 'jane' }),
  );
  sourceSub = sourceUser.UserAttributes!.find((a) => a.Name === 'sub')!.Value!;
  const snapshot = {
    username: 'jane',
    sub: sourceSub,
    attributes: Object.fromEntries(sourceUser.UserAttributes!.map((a) => [a.Name!, a.Value!])),
    userStatus: 'CONFIRMED',
    enabled: true,
  };
  await upsertSnapshot(table, snapshot);
  await putLoginKeys(table, [snapshot]);

  const config = parseConfig({
    source: {
      userPoolId: sourcePool!.Id!,
      migrationClientId: sourceClient!.ClientId!,
      migrationClientSecret: sourceClient!.ClientSecret!,
    },
    target: { userPoolId: target.poolId },
    tableName: table.tableName,
    migrationWindowEnd: '2030-01-01T00:00:00Z',
    endpoints: { cognito: emulator.endpoint },
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  deps = { ...createDeps(config), table, logger: silentLogger, metrics: noMetrics };
  trigger = (event) => handleLazyMigrate(event, deps);
});

const signIn = (username: string, password = PASSWORD) =>
  admin.send(
    new InitiateAuthCommand({
      ClientId: target.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );

describe('lazy-migrate through the Cognito emulator', () => {
  it('migrates a user at sign-in with their password, attributes and old sub, and records MIGRATED', async () => {
    const result = await signIn('jane');

    const created = await admin.send(
      new AdminGetUserCommand({ UserPoolId: target.poolId, Username: 'jane' }),
    );
    const attributes = Object.fromEntries(created.UserAttributes!.map((a) => [a.Name, a.Value]));
    expect(result.AuthenticationResult?.AccessToken).toBeDefined();
    expect(created.UserStatus).toBe('CONFIRMED');
    expect(attributes).toMatchObject({
      email: 'jane@example.com',
      email_verified: 'true',
      name: 'Jane',
      'custom:legacy_sub': sourceSub,
    });
    expect(attributes.sub).not.toBe(sourceSub);
    expect(await getUser(table, 'jane')).toMatchObject({
      status: 'MIGRATED',
      method: 'password',
      targetUsername: 'jane',
    });
  });

  it('spends 2 source calls on a sign-in: the password check and the revocation of the token it created', async () => {
    const commands: string[] = [];
    deps.source.middlewareStack.add(
      (next, context) => (args) => {
        commands.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'countSourceCalls' },
    );

    await signIn('jane');

    expect(commands.sort()).toEqual(['AdminInitiateAuthCommand', 'RevokeTokenCommand']);
  });

  it('lets the same password sign in again without the trigger', async () => {
    await signIn('jane');
    trigger = () => Promise.reject(new Error('the trigger must not be called again'));

    const second = await signIn('jane');

    expect(second.AuthenticationResult?.AccessToken).toBeDefined();
  });

  it('refuses a wrong password, creates nobody and counts the refusal', async () => {
    const error = await errorOf(signIn('jane', 'Wrong-Passw0rd!'));

    const lookup = await errorOf(
      admin.send(new AdminGetUserCommand({ UserPoolId: target.poolId, Username: 'jane' })),
    );
    expect(error?.name).toBe('UserNotFoundException');
    expect(lookup?.name).toBe('UserNotFoundException');
    expect((await getProgress(table)).refusals).toEqual({ INVALID_CREDENTIALS: 1 });
    expect(await getUser(table, 'jane')).toMatchObject({ status: 'PENDING' });
  });

  it('migrates through forgot-password into RESET_REQUIRED, and the reset code sets a new password', async () => {
    await admin.send(new ForgotPasswordCommand({ ClientId: target.clientId, Username: 'jane' }));
    const created = await admin.send(
      new AdminGetUserCommand({ UserPoolId: target.poolId, Username: 'jane' }),
    );
    const code = emulator.outbox.latestCode(target.poolId, 'jane');
    await admin.send(
      new ConfirmForgotPasswordCommand({
        ClientId: target.clientId,
        Username: 'jane',
        ConfirmationCode: code!,
        Password: 'Brand-New-Passw0rd!',
      }),
    );

    expect(created.UserStatus).toBe('RESET_REQUIRED');
    expect((await signIn('jane', 'Brand-New-Passw0rd!')).AuthenticationResult).toBeDefined();
    expect(await getUser(table, 'jane')).toMatchObject({ status: 'MIGRATED', method: 'forgot-password' });
  });

  it('refuses a stranger signing up with the email of a user who has not migrated', async () => {
    const error = await errorOf(
      admin.send(
        new SignUpCommand({
          ClientId: target.clientId,
          Username: 'stranger',
          Password: 'Stranger-Passw0rd!',
          UserAttributes: [{ Name: 'email', Value: 'JANE@example.com' }],
        }),
      ),
    );

    expect(error?.name).toBe('UserLambdaValidationException');
    expect(error?.message).toContain(SIGN_UP_CONFLICT_MESSAGE);
  });
});
