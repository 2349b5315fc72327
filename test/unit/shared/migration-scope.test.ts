import { parseConfig } from '#shared/config';
import { ConfigError } from '#shared/errors';
import { describeScope, inScope, inScopeList } from '#shared/migration-scope';
import { readMigrationSettings } from '#local/migration-settings';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const scope = { attribute: 'custom:tenant', values: ['acme', 'initech'] };

describe('inScope', () => {
  it('takes every user when no scope is configured', () => {
    expect(inScope({}, undefined)).toBe(true);
    expect(inScopeList(undefined, undefined)).toBe(true);
  });

  it.each([
    ['one of several values', { 'custom:tenant': 'initech' }, true],
    ['the first value', { 'custom:tenant': 'acme' }, true],
    ['another value', { 'custom:tenant': 'globex' }, false],
    ['the attribute missing (an untagged user is nobody assigned to this target)', { email: 'a@x' }, false],
    ['an empty value', { 'custom:tenant': '' }, false],
    ['another case (attribute values are case-sensitive)', { 'custom:tenant': 'ACME' }, false],
    ['the value under another attribute', { 'custom:org': 'acme' }, false],
  ])('decides a user with %s', (_, attributes, expected) => {
    expect(inScope(attributes, scope)).toBe(expected);
    const list = Object.entries(attributes).map(([Name, Value]) => ({ Name, Value }));
    expect(inScopeList(list, scope)).toBe(expected);
  });

  it('scopes on a standard attribute as well as a custom one', () => {
    expect(inScope({ locale: 'fr' }, { attribute: 'locale', values: ['fr'] })).toBe(true);
  });

  it('describes a scope for reports', () => {
    expect(describeScope(scope)).toBe('custom:tenant = acme | initech');
  });
});

const valid = {
  source: { userPoolId: 'us-east-1_Source1', migrationClientId: 'client123' },
  target: { userPoolId: 'us-east-1_Target1' },
  tableName: 'cognito-migrate',
  migrationWindowEnd: '2026-12-31T23:59:59Z',
};
const issuesOf = (migrationScope: unknown): string[] => {
  try {
    parseConfig({ ...valid, migrationScope });
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  return [];
};

describe('migrationScope configuration', () => {
  it('is absent by default: every user is in scope', () => {
    expect(parseConfig(valid).migrationScope).toBeUndefined();
  });

  it('accepts an attribute and its values', () => {
    expect(parseConfig({ ...valid, migrationScope: scope }).migrationScope).toEqual(scope);
  });

  it.each([
    ['an empty attribute', { attribute: '', values: ['acme'] }, /migrationScope\.attribute: /],
    ['no values', { attribute: 'custom:tenant', values: [] }, /migrationScope\.values: at least one value/],
    ['a repeated value', { attribute: 'custom:tenant', values: ['acme', 'acme'] }, /values must be unique/],
    ['an empty value', { attribute: 'custom:tenant', values: [''] }, /migrationScope\.values\.0: /],
    ['an unknown key', { attribute: 'custom:tenant', values: ['a'], value: 'a' }, /unknown key/],
    ['no attribute', { values: ['acme'] }, /migrationScope\.attribute: required/],
  ])('rejects %s', (_, migrationScope, message) => {
    expect(issuesOf(migrationScope).join('; ')).toMatch(message);
  });

  it('reaches local start --migration-config settings, validated', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scope-settings-'));
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    writeFileSync(good, JSON.stringify({ migrationScope: { attribute: 'custom:tenant', values: ['acme'] } }));
    writeFileSync(bad, JSON.stringify({ migrationScope: { attribute: 'custom:tenant', values: [] } }));

    expect(readMigrationSettings(good)).toEqual({
      migrationScope: { attribute: 'custom:tenant', values: ['acme'] },
    });
    expect(() => readMigrationSettings(bad)).toThrow(
      /bad\.json: invalid migration settings.*migrationScope\.values/,
    );
  });
});
