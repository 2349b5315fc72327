import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { parseConfig, type ConfigInput } from '#shared/config';
import { ConfigError } from '#shared/errors';
import { oncePerColdStart, resolveSecrets } from '#shared/secrets';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:cognito-migrate/source-AbCdEf';
const PARAMETER_ARN = 'arn:aws:ssm:us-east-1:111122223333:parameter/cognito-migrate/external-id';

const secretsManager = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);

beforeEach(() => {
  secretsManager.reset();
  ssm.reset();
});

const config = (source: Partial<ConfigInput['source']> = {}): ConfigInput => ({
  region: 'eu-west-1',
  source: { userPoolId: 'eu-west-1_Source1', migrationClientId: 'client-1', ...source },
  target: { userPoolId: 'eu-west-1_Target1' },
  tableName: 'migration',
  migrationWindowEnd: '2026-06-30T00:00:00Z',
  credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
});

describe('resolveSecrets', () => {
  it('reads the client secret from a JSON key of a Secrets Manager secret', async () => {
    secretsManager
      .on(GetSecretValueCommand, { SecretId: SECRET_ARN })
      .resolves({ SecretString: JSON.stringify({ clientSecret: 's3cr3t' }) });

    const resolved = await resolveSecrets(
      parseConfig(
        config({ migrationClientSecretRef: { secretsManagerArn: SECRET_ARN, jsonKey: 'clientSecret' } }),
      ),
    );

    expect(resolved.source.migrationClientSecret).toBe('s3cr3t');
  });

  it('reads an ExternalId from an SSM SecureString with decryption, in the parameter’s Region', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'ext-7f3a9c' } });

    const resolved = await resolveSecrets(
      parseConfig(
        config({
          roleArn: 'arn:aws:iam::222222222222:role/cognito-migrate-source-read-lazy-migrate',
          externalIdRef: { ssmParameter: PARAMETER_ARN },
        }),
      ),
    );

    expect(resolved.source.externalId).toBe('ext-7f3a9c');
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: PARAMETER_ARN, WithDecryption: true });
    expect(await ssm.call(0).thisValue.config.region()).toBe('us-east-1');
  });

  it('makes no call when the configuration has no secret reference', async () => {
    const plain = parseConfig(config());

    expect(await resolveSecrets(plain)).toBe(plain);
    expect(secretsManager.calls()).toHaveLength(0);
    expect(ssm.calls()).toHaveLength(0);
  });

  it('names the secret when its JSON has no such key', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ other: 'x' }) });

    await expect(
      resolveSecrets(
        parseConfig(
          config({ migrationClientSecretRef: { secretsManagerArn: SECRET_ARN, jsonKey: 'clientSecret' } }),
        ),
      ),
    ).rejects.toThrow(new ConfigError(`Secret ${SECRET_ARN} has no string key "clientSecret"`, []));
  });

  it('rejects a plain value and a reference for the same secret', () => {
    expect(() =>
      parseConfig(
        config({ migrationClientSecret: 'x', migrationClientSecretRef: { secretsManagerArn: SECRET_ARN } }),
      ),
    ).toThrow(/migrationClientSecretRef: give migrationClientSecret or migrationClientSecretRef, not both/);
  });
});

describe('oncePerColdStart', () => {
  it('reads the secret once for every invocation of a warm container', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 's3cr3t' });
    const deps = oncePerColdStart(() =>
      resolveSecrets(parseConfig(config({ migrationClientSecretRef: { secretsManagerArn: SECRET_ARN } }))),
    );

    const results = await Promise.all([deps(), deps(), deps()]);
    await deps();

    expect(results.map((r) => r.source.migrationClientSecret)).toEqual(['s3cr3t', 's3cr3t', 's3cr3t']);
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('tries again on the next invocation after a failed read', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(new Error('AccessDeniedException'))
      .resolves({ SecretString: 's3cr3t' });
    const deps = oncePerColdStart(() =>
      resolveSecrets(parseConfig(config({ migrationClientSecretRef: { secretsManagerArn: SECRET_ARN } }))),
    );

    await expect(deps()).rejects.toThrow('AccessDeniedException');
    expect((await deps()).source.migrationClientSecret).toBe('s3cr3t');
    await deps();
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });
});

describe('a handler', () => {
  it('reads its secrets at the first invocation of a container and never again', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 's3cr3t' });
    const env = { ...process.env };
    process.env.COGNITO_MIGRATE_CONFIG = JSON.stringify(
      config({ migrationClientSecretRef: { secretsManagerArn: SECRET_ARN } }),
    );
    try {
      // First import in this test file: the module's cold start.
      const { handler } = await import('../../../functions/reconcile/handler');

      // An invalid event fails after the container's dependencies are built, before any call.
      await expect(handler({ action: 'nothing' } as never)).rejects.toThrow(/action must be/);
      await expect(handler({ action: 'nothing' } as never)).rejects.toThrow(/action must be/);

      expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    } finally {
      process.env = env;
    }
  });
});
