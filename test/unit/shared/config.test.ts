import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfig, quotaShareFor } from '#shared/config';
import { ConfigError } from '#shared/errors';

const valid = {
  source: { userPoolId: 'eu-west-1_Source1', migrationClientId: 'client123' },
  target: { userPoolId: 'eu-west-1_Target1' },
  tableName: 'cognito-migrate',
  migrationWindowEnd: '2026-12-31T23:59:59Z',
};

const configError = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('parseConfig', () => {
  it('fills the documented defaults', () => {
    const config = parseConfig(valid);

    expect(config).toMatchObject({
      region: 'us-east-1',
      mfaPolicy: 'reset',
      quotaShare: 0.5,
      attributeMap: { legacySubAttribute: 'custom:legacy_sub', renames: {}, drops: [] },
      source: { retired: false },
      triggerDeadlineMs: 3000,
    });
  });

  it('lists every bad field in one error', () => {
    const error = configError(() =>
      parseConfig({
        ...valid,
        source: { userPoolId: 'nope' },
        tableName: '',
        quotaShare: 2,
        mfaPolicy: 'maybe',
      }),
    );

    expect(error.issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^source\.userPoolId: a user pool id/),
        expect.stringMatching(/^source\.migrationClientId:/),
        expect.stringMatching(/^tableName:/),
        expect.stringMatching(/^quotaShare:/),
        expect.stringMatching(/^mfaPolicy:/),
      ]),
    );
    expect(error.message).toContain('Invalid configuration');
  });

  it('requires an ExternalId for cross-account access', () => {
    const error = configError(() =>
      parseConfig({ ...valid, source: { ...valid.source, roleArn: 'arn:aws:iam::123456789012:role/read' } }),
    );

    expect(error.issues).toEqual([expect.stringMatching(/^source\.externalId: externalId is required/)]);
  });

  it('rejects unknown top-level fields so typos do not pass silently', () => {
    const error = configError(() => parseConfig({ ...valid, tabelName: 'x' }));

    expect(error.message).toContain('tabelName');
  });

  it('rejects raised account quotas for a category that does not exist', () => {
    expect(() => parseConfig({ ...valid, accountQuotas: { UserUpdates: 100 } })).toThrow(/accountQuotas/);
  });

  it('rejects a quota share for a category that does not exist', () => {
    expect(() => parseConfig({ ...valid, quotaShareByCategory: { UserLists: 0.2 } })).toThrow(ConfigError);
  });
});

describe('loadConfig', () => {
  it('reads JSON from the environment and applies flat overrides', () => {
    const config = loadConfig({
      COGNITO_MIGRATE_CONFIG: JSON.stringify(valid),
      MIGRATION_TABLE_NAME: 'other-table',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:4567',
    });

    expect(config.tableName).toBe('other-table');
    expect(config.endpoints.dynamodb).toBe('http://127.0.0.1:4567');
  });

  it('keeps the configured region when AWS_REGION names another (Lambda sets it to its own Region)', () => {
    const config = loadConfig({
      COGNITO_MIGRATE_CONFIG: JSON.stringify({ ...valid, region: 'eu-west-1' }),
      AWS_REGION: 'us-west-2',
    });

    expect(config.region).toBe('eu-west-1');
  });

  it('takes the region from AWS_REGION when the configuration names none', () => {
    const config = loadConfig({ COGNITO_MIGRATE_CONFIG: JSON.stringify(valid), AWS_REGION: 'us-west-2' });

    expect(config.region).toBe('us-west-2');
  });

  it('reads a JSON file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cm-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ ...valid, quotaShare: 0.25 }));

    expect(loadConfig({ COGNITO_MIGRATE_CONFIG_FILE: file }).quotaShare).toBe(0.25);
  });

  it('names the file it cannot read', () => {
    expect(() => loadConfig({}, { file: '/nonexistent/config.json' })).toThrow(
      /Cannot read configuration file "\/nonexistent\/config.json"/,
    );
  });

  it('rejects configuration JSON that is not an object', () => {
    expect(() => loadConfig({ COGNITO_MIGRATE_CONFIG: '[1,2]' })).toThrow(
      /COGNITO_MIGRATE_CONFIG is not a JSON object/,
    );
  });
});

describe('quotaShareFor', () => {
  it('prefers the per-category share over the global one', () => {
    const config = parseConfig({ ...valid, quotaShare: 0.5, quotaShareByCategory: { UserList: 0.8 } });

    expect(quotaShareFor(config, 'UserList')).toBe(0.8);
    expect(quotaShareFor(config, 'UserCreation')).toBe(0.5);
  });
});
