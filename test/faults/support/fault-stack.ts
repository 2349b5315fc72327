import {
  CognitoIdentityProviderClient,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  type InitiateAuthCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock } from '#shared/clock';
import type { MigrationConfig } from '#shared/config';
import type { TableContext } from '#shared/table/context';
import type { CognitoEmulator } from '#local/cognito/index';
import type { LocalEventBridge } from '#local/eventbridge/index';
import { LOCAL_CREDENTIALS } from '#local/dynamodb/index';
import type { LocalFunctions } from '#local/wire-functions';
import { startLocalStack, type LocalStackOptions } from '#local/stack';

/** The local stack's options a fault test sets (emulator chaos, clocks, config, logger, shared dynalite). */
export type FaultStackOptions = Pick<
  LocalStackOptions,
  'emulator' | 'clock' | 'functionClock' | 'config' | 'logger' | 'dynamo' | 'sourcePool' | 'targetPool'
>;

/** The whole system on 127.0.0.1 (local/stack.ts), with the emulator's chaos options set by the test. */
export interface FaultStack {
  emulator: CognitoEmulator;
  config: MigrationConfig;
  table: TableContext;
  functions: LocalFunctions;
  /** The local EventBridge: the UserMigrated events the functions published. */
  eventBridge: LocalEventBridge;
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
 * Starts the local stack (emulator with the given latency/faults/seed, dynalite, the project's
 * real functions). The source migration client has a secret, so every sign-in also proves the
 * secret stays out of the output.
 */
export const startFaultStack = async (options: FaultStackOptions = {}): Promise<FaultStack> => {
  const stack = await startLocalStack({
    ...options,
    migrationWindowEnd: FAULT_WINDOW_END,
    sourceClient: {
      GenerateSecret: true,
      ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    },
  });
  const app = new CognitoIdentityProviderClient({
    region: 'us-east-1',
    endpoint: stack.emulator.endpoint,
    credentials: { ...LOCAL_CREDENTIALS },
    maxAttempts: 1,
  });
  const { source, target } = stack.state;
  const table: TableContext = {
    doc: DynamoDBDocumentClient.from(stack.dynamo.client, {
      marshallOptions: { removeUndefinedValues: true },
    }),
    tableName: stack.config.tableName,
    clock: options.functionClock ?? options.clock ?? systemClock,
  };

  return {
    emulator: stack.emulator,
    config: stack.config,
    table,
    functions: stack.functions,
    eventBridge: stack.eventBridge,
    app,
    source: { poolId: source.userPoolId, clientId: source.migrationClientId },
    target: { poolId: target.userPoolId, clientId: target.clientId },
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
      app.destroy();
      await stack.close();
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
