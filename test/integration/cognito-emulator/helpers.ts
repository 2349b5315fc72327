import { emulatorClient } from '../../support/emulator-client';
import { createHmac } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  type CreateUserPoolClientCommandInput,
  type CreateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  startCognitoEmulator,
  type CognitoEmulator,
  type CognitoEmulatorOptions,
} from '#local/cognito/index';

export const PASSWORD = 'Passw0rd!';

export interface Harness {
  emulator: CognitoEmulator;
  cognito: CognitoIdentityProviderClient;
}

/** Starts an emulator and a real SDK client pointed at it (no retries, dummy credentials). */
export async function startHarness(options: CognitoEmulatorOptions = {}): Promise<Harness> {
  const emulator = await startCognitoEmulator(options);
  const cognito = emulatorClient(emulator, 'eu-west-1');
  return { emulator, cognito };
}

export async function stopHarness(harness: Harness | undefined): Promise<void> {
  harness?.cognito.destroy();
  await harness?.emulator.close();
}

/**
 * The harness of a test file (or describe block): started in beforeAll, stopped in afterAll.
 * The returned object is filled in once beforeAll has run, so tests and later hooks may use it.
 */
export function useHarness(options: CognitoEmulatorOptions = {}): Harness {
  const harness = {} as Harness;
  beforeAll(async () => {
    Object.assign(harness, await startHarness(options));
  });
  afterAll(() => (harness.emulator ? stopHarness(harness) : undefined));
  return harness;
}

export async function createPool(
  { cognito }: Harness,
  input: Partial<CreateUserPoolCommandInput> = {},
  client: Partial<CreateUserPoolClientCommandInput> = {},
): Promise<{ poolId: string; clientId: string; clientSecret?: string }> {
  const { UserPool } = await cognito.send(new CreateUserPoolCommand({ PoolName: 'pool', ...input }));
  const { UserPoolClient } = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: UserPool!.Id!,
      ClientName: 'app',
      ExplicitAuthFlows: [
        'ALLOW_USER_PASSWORD_AUTH',
        'ALLOW_ADMIN_USER_PASSWORD_AUTH',
        'ALLOW_REFRESH_TOKEN_AUTH',
      ],
      ...client,
    }),
  );
  return {
    poolId: UserPool!.Id!,
    clientId: UserPoolClient!.ClientId!,
    clientSecret: UserPoolClient!.ClientSecret,
  };
}

/** A CONFIRMED user with PASSWORD and the given attributes. */
export async function createConfirmedUser(
  { cognito }: Harness,
  poolId: string,
  username: string,
  attributes: Record<string, string> = {},
): Promise<void> {
  await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: username,
      MessageAction: 'SUPPRESS',
      UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
    }),
  );
  await cognito.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: poolId,
      Username: username,
      Password: PASSWORD,
      Permanent: true,
    }),
  );
}

export function claimsOf(jwt: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(String(jwt).split('.')[1]!, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

export function secretHash(username: string, clientId: string, secret: string): string {
  return createHmac('sha256', secret)
    .update(username + clientId)
    .digest('base64');
}

/** The error a promise rejects with, for asserting name and message. */
export async function errorOf(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { name: string; message: string };
  }
  throw new Error('expected the call to fail');
}
