import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseQuotasOption, readMigrationSettings } from '#local/migration-settings';

const dir = mkdtempSync(join(tmpdir(), 'migration-settings-'));
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

describe('readMigrationSettings', () => {
  it("keeps a real run's settings and drops where that deployment is", () => {
    const path = file('real.json', {
      region: 'eu-west-1',
      source: { userPoolId: 'eu-west-1_Src', migrationClientId: 'c' },
      target: { userPoolId: 'eu-west-1_Tgt' },
      tableName: 'prod-migration',
      migrationWindowEnd: '2031-03-01T00:00:00Z',
      attributeMap: { renames: { 'custom:org': 'custom:tenant' } },
      mfaPolicy: 'reject',
      disabledUsers: 'skip',
      quotaShare: 0.4,
    });
    expect(readMigrationSettings(path)).toEqual({
      migrationWindowEnd: '2031-03-01T00:00:00Z',
      attributeMap: { renames: { 'custom:org': 'custom:tenant' } },
      mfaPolicy: 'reject',
      disabledUsers: 'skip',
      quotaShare: 0.4,
    });
  });

  it('names the file and every invalid field', () => {
    const path = file('bad.json', { quotaShare: 3, mfaPolicy: 'sometimes' });
    expect(() => readMigrationSettings(path)).toThrow(/bad\.json: invalid migration settings/);
    expect(() => readMigrationSettings(path)).toThrow(/[:;] quotaShare: /);
    expect(() => readMigrationSettings(path)).toThrow(/[:;] mfaPolicy: /);
  });

  it('refuses a file that is not a JSON object, naming it', () => {
    expect(() => readMigrationSettings(file('list.json', '[1]'))).toThrow(
      /list\.json: expected a JSON object/,
    );
    expect(() => readMigrationSettings(file('broken.json', '{'))).toThrow(
      /Cannot read migration settings ".*broken\.json"/,
    );
  });
});

describe('parseQuotasOption', () => {
  it.each([
    ['off', { quotas: 'off' }],
    ['default', { quotas: 'default' }],
    ['10', { quotas: { scale: 10 }, accountQuotaScale: 10 }],
    ['0.5', { quotas: { scale: 0.5 }, accountQuotaScale: 0.5 }],
  ])('reads %s', (value, expected) => {
    expect(parseQuotasOption(value)).toEqual(expected);
  });

  it('refuses anything else with the accepted forms', () => {
    expect(() => parseQuotasOption('fast')).toThrow(/off, default or a positive number/);
    expect(() => parseQuotasOption('0')).toThrow(/off, default or a positive number/);
  });
});
