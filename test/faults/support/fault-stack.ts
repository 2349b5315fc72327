import { randomUUID } from 'node:crypto';
import {
  CognitoIdentityProviderClient,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  type InitiateAuthCommandOutput,
  type CreateUserPoolRequest,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock, type Clock } from '#shared/clock';
import { parseConfig, type ConfigInput, type MigrationConfig } from '#shared/config';
import { silentLogger, type AppLogger } from '#shared/logger';
import type { TableContext } from '#shared/table-context';
import {
  startCognitoEmulator,
  type CognitoEmulator,
  type CognitoEmulatorOptions,
} from '#local/cognito/index';
import { LOCAL_CREDENTIALS, startLocalDynamo, type LocalDynamo } from '#local/dynamodb/index';
import { DEFAULT_SOURCE_POOL, DEFAULT_TARGET_POOL, LOCAL_FUNCTION_ARNS } from '#local/pool-settings';
import { wireFunctions, type LocalFunctions } from '#local/wire-functions';

export interface FaultStackOptions {
  /** Latency, faults, seed, quotas and trigger timeout of the emulator. */
  emulator?: Omit<CognitoEmulatorOptions, 'functions' | 'clock' | 'stateFile' | 'port'>;
  clock?: Clock;
  /**
   * The functions' clock only (rate limiters, table timestamps); the emulator keeps real time so
   * trigger deadlines stay real. A ManualClock here makes the limiters' waits free.
   */
  functionClock?: Clock;
  /** Overrides of the migration configuration (triggerDeadlineMs, sdk, mfaPolicy, ...). */
  config?: Partial<ConfigInput>;
  /** The logger every function writes to. @default silentLogger */
  logger?: AppLogger;
  /** A dynalite to share between stacks of one test file. @default a new one, closed with the stack */
  dynamo?: LocalDynamo;
  sourcePool?: Partial<CreateUserPoolRequest>;
  targetPool?: Partial<CreateUserPoolRequest>;
}

/** The whole system on 127.0.0.1, with the emulator's chaos options exposed (local/stack.ts hides them). */
export interface FaultStack {
  emulator: CognitoEmulator;
  config: MigrationConfig;
  table: TableContext;
  functions: LocalFunctions;
  /** An SDK client as an app would hold it: one attempt, so every answer reaches the test. */
  app: CognitoIdentityProviderClient;
  source: { poolId: string; clientId: string };
  target: { poolId: string; clientId: string };
  signIn(username: string, password: string): Promise<InitiateAuthCommandOutput>;
  forgotPassword(username: string): Promise<unknown>;
  close(): Promise<void>;
}

export const FAULT_WINDOW_END = '2030-01-01T00:00:00.000Z';

/**
 * Starts the Cognito emulator (with the given latency/faults/seed), dynalite and the project's
 * real functions wired as local/stack.ts wires them. The source migration client has a secret,
 * so every sign-in also proves the secret stays out of the output.
 */
export const startFaultStack = async (options: FaultStackOptions = {}): Promise<FaultStack> => {
  const clock = options.clock ?? systemClock;
  const ownDynamo = !options.dynamo;
  const dynamo = options.dynamo ?? (await startLocalDynamo());
  // Without a clock the emulator times triggers with unref'd timers, so nothing holds jest open.
  const emulator = await startCognitoEmulator({
    quotas: 'off',
    ...(options.clock ? { clock } : {}),
    ...options.emulator,
  });
  const app = new CognitoIdentityProviderClient({
    region: 'us-east-1',
    endpoint: emulator.endpoint,
    credentials: { ...LOCAL_CREDENTIALS },
    maxAttempts: 1,
  });
  const poolId = async (request: CreateUserPoolRequest) =>
    ((await emulator.call('CreateUserPool', request)) as { UserPool: { Id: string } }).UserPool.Id;
  const sourcePoolId = await poolId({ ...DEFAULT_SOURCE_POOL, ...options.sourcePool, LambdaConfig: {} });
  const targetPoolId = await poolId({
    ...DEFAULT_TARGET_POOL,
    ...options.targetPool,
    LambdaConfig: {
      UserMigration: LOCAL_FUNCTION_ARNS.lazyMigrate,
      PreSignUp: LOCAL_FUNCTION_ARNS.lazyMigrate,
      PostAuthentication: LOCAL_FUNCTION_ARNS.groupSync,
      PreTokenGeneration: LOCAL_FUNCTION_ARNS.groupSync,
    },
  });
  const sourceClient = (await emulator.call('CreateUserPoolClient', {
    UserPoolId: sourcePoolId,
    ClientName: 'migration',
    GenerateSecret: true,
    ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    EnableTokenRevocation: true,
  })) as { UserPoolClient: { ClientId: string; ClientSecret: string } };
  const targetClient = (await emulator.call('CreateUserPoolClient', {
    UserPoolId: targetPoolId,
    ClientName: 'app',
    // As infra/constructs/target-pool.ts creates it: Cognito answers alike for unknown users.
    PreventUserExistenceErrors: 'ENABLED',
    ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  })) as { UserPoolClient: { ClientId: string } };

  const tableName = `faults-${randomUUID().slice(0, 8)}`;
  await dynamo.createMigrationTable(tableName);
  const config = parseConfig({
    source: {
      userPoolId: sourcePoolId,
      migrationClientId: sourceClient.UserPoolClient.ClientId,
      migrationClientSecret: sourceClient.UserPoolClient.ClientSecret,
    },
    target: { userPoolId: targetPoolId, clientId: targetClient.UserPoolClient.ClientId },
    tableName,
    migrationWindowEnd: FAULT_WINDOW_END,
    credentials: { ...LOCAL_CREDENTIALS },
    groupSyncFunctionName: 'group-sync',
    quotaShare: 1,
    ...options.config,
    endpoints: { cognito: emulator.endpoint, dynamodb: dynamo.endpoint, ...options.config?.endpoints },
  });
  const functionClock = options.functionClock ?? clock;
  const functions = wireFunctions(config, { clock: functionClock, logger: options.logger ?? silentLogger });
  emulator.registerFunction(LOCAL_FUNCTION_ARNS.lazyMigrate, functions.lazyMigrate);
  emulator.registerFunction(LOCAL_FUNCTION_ARNS.groupSync, functions.groupSync);
  const target = { poolId: targetPoolId, clientId: targetClient.UserPoolClient.ClientId };
  const table: TableContext = {
    doc: DynamoDBDocumentClient.from(dynamo.client, { marshallOptions: { removeUndefinedValues: true } }),
    tableName,
    clock: functionClock,
  };

  return {
    emulator,
    config,
    table,
    functions,
    app,
    source: { poolId: sourcePoolId, clientId: sourceClient.UserPoolClient.ClientId },
    target,
    signIn: (username, password) =>
      app.send(
        new InitiateAuthCommand({
          ClientId: target.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: username, PASSWORD: password },
        }),
      ),
    forgotPassword: (username) =>
      app.send(new ForgotPasswordCommand({ ClientId: target.clientId, Username: username })),
    close: async () => {
      await functions.close();
      app.destroy();
      await emulator.close();
      if (ownDynamo) await dynamo.close();
    },
  };
};

/** The settled outcome of a promise: its value, or the error's name and message as the client sees them. */
export const outcomeOf = async <T>(
  promise: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; name: string; message: string }> => {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    const err = error as Error;
    return { ok: false, name: err.name, message: err.message };
  }
};
