import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Clock } from './clock';
import { sourceRegion, targetRegion, type MigrationConfig } from './config';
import { assumeRoleCredentials, type AwsCredentialIdentityProvider } from './credentials';
import { applyRateLimiter, type RateLimiter } from './rate-limiter';

export { assumeRoleCredentials } from './credentials';

/** What the Cognito client factories may be given instead of building their own. */
export interface ClientDeps {
  /** Drives credential expiry. @default systemClock */
  clock?: Clock;
  /** Meters every Cognito attempt; without one the client is not rate limited. */
  limiter?: RateLimiter;
  /** The STS client the source role is assumed with. @default one built from config */
  sts?: STSClient;
}

/**
 * Settings every client shares. Timeouts are explicit because the SDK's default is none: a
 * trigger has 5 s in all, and a hung socket must fail the attempt, not the whole invocation.
 * Retries use the SDK's standard mode; the adaptive mode would add a second, real-time rate
 * limiter on top of ours.
 */
const commonConfig = (config: MigrationConfig, region: string, endpoint: string | undefined) => ({
  region,
  ...(endpoint ? { endpoint } : {}),
  maxAttempts: config.sdk.maxAttempts,
  requestHandler: new NodeHttpHandler({
    connectionTimeout: config.sdk.connectionTimeoutMs,
    requestTimeout: config.sdk.requestTimeoutMs,
    // Without this the SDK only logs a warning when requestTimeout passes.
    throwOnRequestTimeout: true,
  }),
  ...(config.credentials ? { credentials: config.credentials } : {}),
});

const createStsClient = (config: MigrationConfig): STSClient =>
  new STSClient(commonConfig(config, config.region, config.endpoints.sts));

const cognitoClient = (
  config: MigrationConfig,
  region: string,
  endpoint: string | undefined,
  limiter: RateLimiter | undefined,
  credentials?: AwsCredentialIdentityProvider,
): CognitoIdentityProviderClient => {
  const client = new CognitoIdentityProviderClient({
    ...commonConfig(config, region, endpoint),
    ...(credentials ? { credentials } : {}),
  });
  if (limiter) applyRateLimiter(client, limiter);
  return client;
};

/**
 * A client for the source pool. With `config.source.roleArn` it reads the pool through that
 * role (cross-account, with the ExternalId), credentials cached and renewed 5 minutes before
 * expiry; without, it uses the function's own credentials (same account).
 */
export const createSourceCognitoClient = (
  config: MigrationConfig,
  deps: ClientDeps = {},
): CognitoIdentityProviderClient => {
  const { roleArn, externalId } = config.source;
  const credentials = roleArn
    ? assumeRoleCredentials({
        sts: deps.sts ?? createStsClient(config),
        roleArn,
        externalId,
        ...(deps.clock ? { clock: deps.clock } : {}),
      })
    : undefined;
  const endpoint = config.endpoints.sourceCognito ?? config.endpoints.cognito;
  return cognitoClient(config, sourceRegion(config), endpoint, deps.limiter, credentials);
};

/** A client for the target pool, in the account the migrator runs in. */
export const createTargetCognitoClient = (
  config: MigrationConfig,
  deps: ClientDeps = {},
): CognitoIdentityProviderClient => {
  const endpoint = config.endpoints.targetCognito ?? config.endpoints.cognito;
  return cognitoClient(config, targetRegion(config), endpoint, deps.limiter);
};

/** A DynamoDB client for the migration table's endpoint; `table/context` wraps it in a document client. */
export const createDynamoDbClient = (config: MigrationConfig): DynamoDBClient =>
  new DynamoDBClient(commonConfig(config, config.region, config.endpoints.dynamodb));

/** A Step Functions client (the CLI starts and watches bulk-sync runs with it). */
export const createSfnClient = (config: MigrationConfig): SFNClient =>
  new SFNClient(commonConfig(config, config.region, config.endpoints.sfn));

/** A Lambda client (the trigger hands group memberships to group-sync with it). */
export const createLambdaClient = (config: MigrationConfig): LambdaClient =>
  new LambdaClient(commonConfig(config, config.region, config.endpoints.lambda));

/** An EventBridge client (group-sync and the reconciler publish `UserMigrated` events with it). */
export const createEventBridgeClient = (config: MigrationConfig): EventBridgeClient =>
  new EventBridgeClient(commonConfig(config, config.region, config.endpoints.eventBridge));
