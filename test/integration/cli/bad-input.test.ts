import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ManualClock } from '#shared/clock';
import { parseConfig } from '#shared/config';
import { addCounters } from '#shared/table/progress';
import type { TableContext } from '#shared/table/context';
import { upsertSnapshot } from '#shared/table/users';
import { runCli } from '../../../cli/index';
import type { Connection } from '../../../cli/connection';
import { startLocalTables, type LocalTableHarness } from '../../support/local-table';
import { aSourceUser } from '../../support/users';
import { testDeps } from './cli-harness';

const NOW = Date.UTC(2026, 5, 1, 12, 30);

describe('a numeric option out of range is refused before anything connects', () => {
  it.each([
    [['reset-campaign', '--limit', '0', '--yes'], '--limit', 'an integer of at least 1'],
    [['reset-campaign', '--limit', 'abc', '--yes'], '--limit', 'an integer of at least 1'],
    [['stragglers', '--limit', '-1'], '--limit', 'an integer of at least 1'],
    [['stragglers', '--limit', 'abc'], '--limit', 'an integer of at least 1'],
    [['stragglers', '--page-size', '0'], '--page-size', 'an integer from 1 to 1000'],
    [['stragglers', '--page-size', 'abc'], '--page-size', 'an integer from 1 to 1000'],
    [['status', '--watch', '--interval', '-5'], '--interval', 'a number from 1 to 3600'],
    [['sync', 'start', '--concurrency', '0'], '--concurrency', 'an integer from 1 to 40'],
    [['sync', 'start', '--concurrency', '999'], '--concurrency', 'an integer from 1 to 40'],
    [['sync', 'start', '--concurrency', '2.5'], '--concurrency', 'an integer from 1 to 40'],
    [['demo', '--users', '0'], '--users', 'an integer from 1 to 1000000'],
  ])('%j exits 2 with one line naming %s and its range', async (args, option, range) => {
    const connect = jest.fn(() => {
      throw new Error('must not connect');
    });
    const deps = testDeps({ connect });

    const code = await runCli(args, deps);

    expect(code).toBe(2);
    expect(deps.stderr.lines).toHaveLength(1);
    expect(deps.stderr.text).toContain(`'${option} <`);
    expect(deps.stderr.text).toContain(range);
    expect(deps.stdout.text).toBe('');
    // No connection was built: nothing could have read or written the table or a pool.
    expect(connect).not.toHaveBeenCalled();
  });
});

describe('failures against a migration table are one line naming the resource', () => {
  let tables: LocalTableHarness;
  let table: TableContext;

  const connection = (tableName = table.tableName): Connection => ({
    config: parseConfig({
      source: { userPoolId: 'us-east-1_src', migrationClientId: 'c' },
      target: { userPoolId: 'us-east-1_tgt' },
      tableName,
      migrationWindowEnd: new Date(NOW + 86_400_000).toISOString(),
      endpoints: { dynamodb: tables.dynamo.endpoint },
    }),
    table: { ...table, tableName },
    source: {} as CognitoIdentityProviderClient,
    target: {} as CognitoIdentityProviderClient,
    local: {} as Connection['local'],
    close: () => undefined,
  });
  const items = async () =>
    (await table.doc.send(new ScanCommand({ TableName: table.tableName }))).Items?.map((i) =>
      JSON.stringify(i),
    ).sort();

  beforeAll(async () => {
    tables = await startLocalTables();
    table = await tables.newTable(new ManualClock(NOW));
    await upsertSnapshot(table, aSourceUser({ username: 'alice' }));
    await addCounters(table, { total: 1, PENDING: 1 });
  });
  afterAll(() => tables.close());

  it('sync start --resume of an unknown run exits 2 naming the run and the table, without a resume hint', async () => {
    const before = await items();
    const deps = testDeps({ connection: connection() });

    const code = await runCli(['sync', 'start', '--resume', 'sync-nope', '--wait'], deps);

    expect(code).toBe(2);
    expect(deps.stderr.lines).toEqual([
      expect.stringMatching(new RegExp(`^error: no bulk-sync run "sync-nope" in table "${table.tableName}"`)),
    ]);
    expect(deps.stderr.text).not.toContain('--resume');
    expect(deps.stderr.text).not.toContain('{');
    expect(await items()).toEqual(before);
  });

  it('a table that does not exist is named, with exit 2', async () => {
    const deps = testDeps({ connection: connection('migration-missing') });

    const code = await runCli(['status'], deps);

    expect(code).toBe(2);
    expect(deps.stderr.lines).toEqual([
      expect.stringMatching(
        /^error: table "migration-missing" does not exist at http:\/\/127\.0\.0\.1:\d+; /,
      ),
    ]);
  });
});

describe('a broken local state file is named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cognito-migrate-state-'));

  it.each([
    ['truncated', '{"region": "us-east-1", "cognitoEnd', /is not valid JSON/],
    ['missing fields', '{"region": "us-east-1"}', /is malformed \(cognitoEndpoint: /],
  ])('a %s state file exits 2 with its path, no SyntaxError and no stack', async (name, text, what) => {
    const path = join(dir, `${name.replace(/ /g, '-')}.json`);
    writeFileSync(path, text);
    const deps = testDeps();

    const code = await runCli(['--local', '--state-file', path, 'status'], deps);

    expect(code).toBe(2);
    expect(deps.stderr.lines).toHaveLength(1);
    expect(deps.stderr.text).toContain(`"${path}"`);
    expect(deps.stderr.text).toMatch(what);
    expect(deps.stderr.text).not.toMatch(/SyntaxError|\n\s+at /);
  });

  it('--debug adds the stack trace after the error line', async () => {
    const path = join(dir, 'debug.json');
    writeFileSync(path, '{');
    const deps = testDeps();

    await runCli(['--debug', '--local', '--state-file', path, 'status'], deps);

    expect(deps.stderr.lines[0]).toMatch(/^error: Local stack state/);
    expect(deps.stderr.text).toMatch(/\n\s+at /);
  });
});

describe('a configuration file with a mistake is refused before anything connects', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cognito-migrate-config-'));
  const valid = {
    source: { userPoolId: 'us-east-1_src', migrationClientId: 'c' },
    target: { userPoolId: 'us-east-1_tgt' },
    tableName: 'migration',
    migrationWindowEnd: '2026-12-31T00:00:00Z',
    // Unreachable on purpose: a command that got past the configuration would fail with exit 3.
    endpoints: { dynamodb: 'http://127.0.0.1:1', cognito: 'http://127.0.0.1:1' },
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  };
  const utf8 = (value: unknown) => Buffer.from(JSON.stringify(value));

  it.each([
    [
      'a misspelled nested key',
      utf8({ ...valid, resetCampaign: { batchLimt: 100 } }),
      /resetCampaign\.batchLimt: unknown key \(did you mean "batchLimit"\?\)/,
    ],
    [
      'a misspelled endpoint',
      utf8({ ...valid, endpoints: { ...valid.endpoints, dynamoDb: 'http://127.0.0.1:2' } }),
      /endpoints\.dynamoDb: unknown key \(did you mean "dynamodb"\?\)/,
    ],
    [
      'a source pool in another Region',
      utf8({ ...valid, source: { ...valid.source, userPoolId: 'eu-west-1_src' } }),
      /source\.userPoolId: the pool is in eu-west-1 but region is us-east-1/,
    ],
    [
      'the same pool as source and target',
      utf8({ ...valid, target: { userPoolId: 'us-east-1_src' } }),
      /source and target are the same pool/,
    ],
    [
      'invalid UTF-8',
      Buffer.concat([utf8(valid).subarray(0, 20), Buffer.from([0xc3, 0x28]), utf8(valid).subarray(20)]),
      /is not valid UTF-8 \(line 1\)/,
    ],
    ['UTF-16', Buffer.from(JSON.stringify(valid), 'utf16le'), /is UTF-16, not UTF-8/],
  ])('%s: exit 2 and one line naming the file', async (name, bytes, what) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.json`);
    writeFileSync(file, bytes);
    const deps = testDeps();

    const code = await runCli(['--config', file, 'reset-campaign', '--yes'], deps);

    expect(code).toBe(2);
    expect(deps.stderr.lines).toHaveLength(1);
    expect(deps.stderr.text).toContain(`"${file}"`);
    expect(deps.stderr.text).toMatch(what);
    expect(deps.stdout.text).toBe('');
  });

  it('a UTF-8 byte-order mark is accepted (the command gets as far as the endpoint)', async () => {
    const file = join(dir, 'bom.json');
    writeFileSync(
      file,
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8({ ...valid, sdk: { maxAttempts: 1 } })]),
    );
    const deps = testDeps();

    const code = await runCli(['--config', file, 'status'], deps);

    expect(code).toBe(3);
    expect(deps.stderr.text).toMatch(/cannot reach the endpoint/);
  });
});
