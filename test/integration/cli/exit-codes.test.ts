import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { ManualClock } from '#shared/clock';
import { parseConfig } from '#shared/config';
import { addCounters } from '#shared/table/progress';
import type { TableContext } from '#shared/table/context';
import { upsertSnapshot } from '#shared/table/users';
import { writeLocalState } from '#local/state-file';
import { runCli } from '../../../cli/index';
import type { Connection } from '../../../cli/connection';
import { startLocalTables, type LocalTableHarness } from '../../support/local-table';
import { aSourceUser } from '../../support/users';
import { testDeps } from './cli-harness';

const NOW = Date.UTC(2026, 5, 1, 12, 30);
const USERS = 60;

describe('exit codes as the README documents them', () => {
  let tables: LocalTableHarness;
  let table: TableContext;

  const connection = (): Connection => ({
    config: parseConfig({
      source: { userPoolId: 'us-east-1_src', migrationClientId: 'c' },
      target: { userPoolId: 'us-east-1_tgt' },
      tableName: table.tableName,
      migrationWindowEnd: new Date(NOW - 86_400_000).toISOString(),
    }),
    table,
    source: {} as CognitoIdentityProviderClient,
    target: {} as CognitoIdentityProviderClient,
    close: () => undefined,
  });

  beforeAll(async () => {
    tables = await startLocalTables();
    table = await tables.newTable(new ManualClock(NOW));
    for (let i = 0; i < USERS; i += 1) {
      await upsertSnapshot(table, aSourceUser({ username: `user-${String(i).padStart(4, '0')}` }));
    }
    await addCounters(table, { total: USERS, FLAGGED_FOR_RESET: USERS });
  });
  afterAll(() => tables.close());

  it('0: the command did what was asked', async () => {
    const deps = testDeps({ connection: connection() });

    expect(await runCli(['status'], deps)).toBe(0);
    expect(deps.stderr.text).toBe('');
  });

  it('1: the operator declined the reset campaign; nothing was changed', async () => {
    const deps = testDeps({ connection: connection(), confirm: async () => false });

    const code = await runCli(['reset-campaign'], deps);

    expect(code).toBe(1);
    expect(deps.stderr.lines).toEqual(['error: cancelled; nothing was changed']);
  });

  it('2: a usage error (an unknown command) is one line pointing at --help', async () => {
    const deps = testDeps({ connection: connection() });

    const code = await runCli(['stragler'], deps);

    expect(code).toBe(2);
    expect(deps.stderr.lines).toEqual([
      expect.stringMatching(
        /^error: unknown command 'stragler' \(Did you mean stragglers\?\) \(see --help\)$/,
      ),
    ]);
  });

  it('3: an unreachable endpoint is an operational error naming the cause', async () => {
    const deps = testDeps({
      env: {
        COGNITO_MIGRATE_CONFIG: JSON.stringify({
          source: { userPoolId: 'us-east-1_src', migrationClientId: 'c' },
          target: { userPoolId: 'us-east-1_tgt' },
          tableName: 'migration',
          migrationWindowEnd: new Date(NOW).toISOString(),
          // Port 1 on loopback: nothing listens, the connection is refused at once.
          endpoints: { dynamodb: 'http://127.0.0.1:1', cognito: 'http://127.0.0.1:1' },
          credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
          sdk: { maxAttempts: 1 },
        }),
      },
    });

    const code = await runCli(['status'], deps);

    expect(code).toBe(3);
    expect(deps.stderr.lines).toEqual([
      expect.stringMatching(/^error: cannot reach the endpoint \(ECONNREFUSED\)/),
    ]);
  });

  it('0 for a closed pipe: `stragglers | head -1` ends quietly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cognito-migrate-pipe-'));
    const stateFile = join(dir, 'local.json');
    writeLocalState(stateFile, {
      region: 'us-east-1',
      cognitoEndpoint: 'http://127.0.0.1:1',
      dynamodbEndpoint: tables.dynamo.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      source: { userPoolId: 'us-east-1_src', migrationClientId: 'c' },
      target: { userPoolId: 'us-east-1_tgt', clientId: 'c' },
      tableName: table.tableName,
    });
    const child = spawn(
      process.execPath,
      [
        join(__dirname, '../../../bin/cognito-migrate.js'),
        '--local',
        '--state-file',
        stateFile,
        'stragglers',
        '--format',
        'csv',
        '--page-size',
        '1',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Like `head -1`: read the first line, then close the pipe while the command is still paging.
    child.stdout.once('data', () => child.stdout.destroy());

    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

    // On Node 20 the one-line Node version warning comes first; nothing else may follow it.
    expect(stderr.replace(/^warning: Node \S+ is past its end of life.*\n/, '')).toBe('');
    expect(code).toBe(0);
  }, 30_000);
});
