import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { CognitoEmulator } from '#local/cognito/index';
import { LOCAL_CREDENTIALS } from '#local/dynamodb/index';

/**
 * A real SDK client for the emulator, as a test or an app holds it: local credentials and one
 * attempt, so every answer (a throttle included) reaches the test instead of an SDK retry.
 */
export const emulatorClient = (
  emulator: CognitoEmulator,
  region = 'us-east-1',
): CognitoIdentityProviderClient =>
  new CognitoIdentityProviderClient({
    endpoint: emulator.endpoint,
    region,
    credentials: { ...LOCAL_CREDENTIALS },
    maxAttempts: 1,
  });
