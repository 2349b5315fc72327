import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { MigrationConfig, SecretRef } from './config';
import { ConfigError } from './errors';

/** The clients secrets are read with; built per Region from the reference's ARN unless given (tests). */
export interface SecretClients {
  secretsManager(region: string): SecretsManagerClient;
  ssm(region: string): SSMClient;
}

const regionOf = (arn: string): string => arn.split(':')[3]!;

/** Clients from the configuration's endpoints and credentials (none in Lambda: the function's role). */
export const createSecretClients = (config: MigrationConfig): SecretClients => ({
  secretsManager: (region) =>
    new SecretsManagerClient({
      region,
      ...(config.endpoints.secretsManager ? { endpoint: config.endpoints.secretsManager } : {}),
      ...(config.credentials ? { credentials: config.credentials } : {}),
    }),
  ssm: (region) =>
    new SSMClient({
      region,
      ...(config.endpoints.ssm ? { endpoint: config.endpoints.ssm } : {}),
      ...(config.credentials ? { credentials: config.credentials } : {}),
    }),
});

/** Reads one secret's value; a missing value or JSON key is a ConfigError naming the reference. */
export const readSecret = async (ref: SecretRef, clients: SecretClients): Promise<string> => {
  if ('ssmParameter' in ref) {
    const client = clients.ssm(regionOf(ref.ssmParameter));
    const { Parameter } = await client.send(
      new GetParameterCommand({ Name: ref.ssmParameter, WithDecryption: true }),
    );
    if (!Parameter?.Value) throw new ConfigError(`SSM parameter ${ref.ssmParameter} has no value`, []);
    return Parameter.Value;
  }
  const client = clients.secretsManager(regionOf(ref.secretsManagerArn));
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: ref.secretsManagerArn }));
  if (!SecretString) throw new ConfigError(`Secret ${ref.secretsManagerArn} has no string value`, []);
  if (!ref.jsonKey) return SecretString;
  let value: unknown;
  try {
    value = (JSON.parse(SecretString) as Record<string, unknown>)[ref.jsonKey];
  } catch {
    throw new ConfigError(
      `Secret ${ref.secretsManagerArn} is not JSON, so it has no key "${ref.jsonKey}"`,
      [],
    );
  }
  if (typeof value !== 'string' || value === '') {
    throw new ConfigError(`Secret ${ref.secretsManagerArn} has no string key "${ref.jsonKey}"`, []);
  }
  return value;
};

/**
 * The configuration with every secret reference replaced by its value
 * (`migrationClientSecretRef` → `migrationClientSecret`, `externalIdRef` → `externalId`).
 * Without references it returns the configuration as it is, without any call.
 */
export const resolveSecrets = async (
  config: MigrationConfig,
  clients: SecretClients = createSecretClients(config),
): Promise<MigrationConfig> => {
  const { migrationClientSecretRef, externalIdRef } = config.source;
  if (!migrationClientSecretRef && !externalIdRef) return config;
  const [migrationClientSecret, externalId] = await Promise.all([
    migrationClientSecretRef ? readSecret(migrationClientSecretRef, clients) : undefined,
    externalIdRef ? readSecret(externalIdRef, clients) : undefined,
  ]);
  return {
    ...config,
    source: {
      ...config.source,
      ...(migrationClientSecret ? { migrationClientSecret } : {}),
      ...(externalId ? { externalId } : {}),
    },
  };
};

/**
 * Runs `init` once per container (cold start) and shares its result with every invocation.
 * A failed init is not cached: the next invocation tries again, so a secret that was briefly
 * unreadable does not leave the container broken until it is recycled.
 */
export const oncePerColdStart = <T>(init: () => Promise<T>): (() => Promise<T>) => {
  let pending: Promise<T> | undefined;
  return () =>
    (pending ??= init().catch((error: unknown) => {
      pending = undefined;
      throw error;
    }));
};
