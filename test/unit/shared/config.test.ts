import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfig, quotaShareFor } from '#shared/config';
import { ConfigError } from '#shared/errors';

const valid = {
  source: { userPoolId: 'us-east-1_Source1', migrationClientId: 'client123' },
  target: { userPoolId: 'us-east-1_Target1' },
  tableName: 'cognito-migrate',
  migrationWindowEnd: '2026-12-31T23:59:59Z',
};

/** `valid` with both pools in another Region (a pool id starts with its Region). */
const inRegion = (region: string) => ({
  ...valid,
  source: { ...valid.source, userPoolId: `${region}_Source1` },
  target: { userPoolId: `${region}_Target1` },
});

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
      COGNITO_MIGRATE_CONFIG: JSON.stringify({ ...inRegion('eu-west-1'), region: 'eu-west-1' }),
      AWS_REGION: 'us-west-2',
    });

    expect(config.region).toBe('eu-west-1');
  });

  it('takes the region from AWS_REGION when the configuration names none', () => {
    const config = loadConfig({
      COGNITO_MIGRATE_CONFIG: JSON.stringify(inRegion('us-west-2')),
      AWS_REGION: 'us-west-2',
    });

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

describe('strict configuration', () => {
  it.each([
    ['resetCampaign.batchLimt', { resetCampaign: { batchLimt: 100 } }, 'batchLimit'],
    ['sdk.maxAttempt', { sdk: { maxAttempt: 2 } }, 'maxAttempts'],
    ['source.regoin', { source: { ...valid.source, regoin: 'us-east-1' } }, 'region'],
    ['endpoints.dynamoDb', { endpoints: { dynamoDb: 'http://127.0.0.1:1' } }, 'dynamodb'],
    ['target.clientID', { target: { ...valid.target, clientID: 'x' } }, 'clientId'],
    ['attributeMap.rename', { attributeMap: { rename: {} } }, 'renames'],
    [
      'credentials.accessKey',
      { credentials: { accessKeyId: 'a', secretAccessKey: 'b', accessKey: 'c' } },
      'accessKeyId',
    ],
  ])('names the unknown nested key %s and suggests the near miss', (path, overrides, near) => {
    const error = configError(() => parseConfig({ ...valid, ...overrides }));

    expect(error.issues).toEqual([`${path}: unknown key (did you mean "${near}"?)`]);
  });

  it('names an unknown key without a suggestion when nothing is close', () => {
    const error = configError(() => parseConfig({ ...valid, sdk: { colour: 'blue' } }));

    expect(error.issues).toEqual(['sdk.colour: unknown key']);
  });

  it('says "required" for a missing field', () => {
    const { tableName: _omitted, ...withoutTable } = valid;

    expect(configError(() => parseConfig(withoutTable)).issues).toEqual(['tableName: required']);
  });

  it('names a source pool whose Region is not the configured region', () => {
    const error = configError(() =>
      parseConfig({ ...valid, source: { ...valid.source, userPoolId: 'eu-west-1_Source1' } }),
    );

    expect(error.issues).toEqual([
      'source.userPoolId: the pool is in eu-west-1 but region is us-east-1; set source.region to eu-west-1',
    ]);
  });

  it('accepts a source pool in another Region when source.region says so', () => {
    const config = parseConfig({
      ...valid,
      source: { ...valid.source, userPoolId: 'eu-west-1_Source1', region: 'eu-west-1' },
    });

    expect(config.source.region).toBe('eu-west-1');
  });

  it('names a target pool whose Region is not target.region', () => {
    const error = configError(() =>
      parseConfig({ ...valid, target: { ...valid.target, region: 'us-east-2' } }),
    );

    expect(error.issues).toEqual([
      'target.userPoolId: the pool is in us-east-1 but target.region is us-east-2; set target.region to us-east-1',
    ]);
  });

  it('refuses a target that is the source pool', () => {
    const error = configError(() =>
      parseConfig({ ...valid, target: { userPoolId: valid.source.userPoolId } }),
    );

    expect(error.issues).toEqual([
      'target.userPoolId: source and target are the same pool; the target must be another pool',
    ]);
  });
});

describe('configuration file decoding', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cm-encoding-'));
  const write = (name: string, bytes: Buffer) => {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    return file;
  };
  const json = JSON.stringify(valid);

  it('accepts a UTF-8 byte-order mark', () => {
    const file = write('bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]));

    expect(loadConfig({}, { file }).tableName).toBe('cognito-migrate');
  });

  it('names invalid UTF-8 with its line instead of reading U+FFFD into a value', () => {
    const bytes = Buffer.from(
      JSON.stringify(valid, null, 2).replace('cognito-migrate', 'cognito-migrate\u0000'),
    );
    const at = bytes.indexOf(0);
    bytes[at] = 0xff;
    const file = write('latin1.json', bytes);

    expect(() => loadConfig({}, { file })).toThrow(
      new RegExp(`^configuration file "${file}" is not valid UTF-8 \\(line 9\\); save it as UTF-8$`),
    );
  });

  it.each([
    ['with a byte-order mark', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')])],
    ['without a byte-order mark', Buffer.from(json, 'utf16le')],
    ['big-endian', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(json, 'utf16le').swap16()])],
  ])('names a UTF-16 file (%s)', (_case, bytes) => {
    const file = write(`utf16-${_case.replace(/ /g, '-')}.json`, bytes);

    expect(() => loadConfig({}, { file })).toThrow(/is UTF-16, not UTF-8; save it as UTF-8$/);
  });
});

describe('quotaShareFor', () => {
  it('prefers the per-category share over the global one', () => {
    const config = parseConfig({ ...valid, quotaShare: 0.5, quotaShareByCategory: { UserList: 0.8 } });

    expect(quotaShareFor(config, 'UserList')).toBe(0.8);
    expect(quotaShareFor(config, 'UserCreation')).toBe(0.5);
  });
});
