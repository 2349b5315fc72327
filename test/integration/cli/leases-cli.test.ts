import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { ManualClock } from '#shared/clock';
import { parseConfig } from '#shared/config';
import { acquireLease } from '#shared/table/leases';
import { getProgress } from '#shared/table/progress';
import { createRun } from '#shared/table/runs';
import type { TableContext } from '#shared/table/context';
import { upsertSnapshot } from '#shared/table/users';
import { startLocalTables, type LocalTableHarness } from '../../support/local-table';
import { aSourceUser } from '../../support/users';
import { runCli } from '../../../cli/index';
import type { Connection } from '../../../cli/connection';
import type { StatusReport } from '../../../cli/commands/status';
import type { SyncStatus } from '../../../cli/commands/sync';
import { testDeps } from './cli-harness';

const NOW = Date.UTC(2026, 5, 1, 12, 30);

describe('the CLI and the leases (one writer at a time)', () => {
  let tables: LocalTableHarness;
  let table: TableContext;
  let clock: ManualClock;

  const connection = (): Connection => ({
    config: parseConfig({
      source: { userPoolId: 'us-east-1_src', migrationClientId: 'c' },
      target: { userPoolId: 'us-east-1_tgt' },
      tableName: table.tableName,
      migrationWindowEnd: new Date(NOW - 86_400_000).toISOString(),
      endpoints: { dynamodb: tables.dynamo.endpoint, cognito: 'http://127.0.0.1:9' },
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    table,
    source: {
      send: () => Promise.resolve({ UserPool: { EstimatedNumberOfUsers: 1000 } }),
    } as unknown as CognitoIdentityProviderClient,
    target: {} as CognitoIdentityProviderClient,
    close: () => undefined,
  });

  const cli = async (...args: string[]) => {
    const deps = testDeps({ clock, connection: connection() });
    const code = await runCli(args, deps);
    return { code, deps };
  };

  /** A run whose runner holds the lease, as Start leaves it. */
  const runningSync = async (runId: string) => {
    await acquireLease(table, 'bulk-sync', { owner: runId, holder: runId, ttlMs: 60_000 });
    await createRun(table, runId, { maxConcurrency: 4 });
  };

  beforeAll(async () => {
    tables = await startLocalTables();
  });
  beforeEach(async () => {
    clock = new ManualClock(NOW);
    table = await tables.newTable(clock);
  });
  afterAll(() => tables.close());

  it('sync start is refused with exit 2 naming the run that holds the lease, and starts nothing', async () => {
    await runningSync('sync-running');

    const { code, deps } = await cli('sync', 'start');

    expect(code).toBe(2);
    expect(deps.stderr.text).toContain('sync start refused: A bulk-sync is already running: "sync-running"');
    expect(deps.stdout.text).not.toContain('started');
  });

  it('sync status shows a live run RUNNING, and STALE without an ETA once its lease stops beating', async () => {
    await runningSync('sync-killed');
    clock.advance(30_000);

    const live = await cli('--json', 'sync', 'status');
    clock.advance(30_001);
    const stale = await cli('--json', 'sync', 'status');
    const staleText = await cli('sync', 'status');

    expect(live.deps.stdout.lastJson<SyncStatus>()).toMatchObject({ status: 'RUNNING' });
    expect(stale.code).toBe(0);
    const report = stale.deps.stdout.lastJson<SyncStatus>();
    expect(report).toMatchObject({ runId: 'sync-killed', status: 'STALE', lease: { holder: 'sync-killed' } });
    expect(report.etaMs).toBeUndefined();
    expect(staleText.deps.stdout.text).toContain('--resume sync-killed --take-over');
  });

  it('sync start of a new run is refused while the lease is STALE, unless --take-over is given', async () => {
    await runningSync('sync-killed');
    clock.advance(60_001);

    const { code, deps } = await cli('sync', 'start');

    expect(code).toBe(2);
    expect(deps.stderr.text).toContain('STALE');
    expect(deps.stderr.text).toContain('--take-over');
  });

  it('status recounts the counters after a STALE run (its last writes never reached them)', async () => {
    await runningSync('sync-killed');
    // The runner wrote three users and died before adding them to the counters.
    for (const name of ['a', 'b', 'c']) await upsertSnapshot(table, aSourceUser({ username: name }));
    clock.advance(60_001);

    const { code, deps } = await cli('--json', 'status');

    expect(code).toBe(0);
    const report = deps.stdout.lastJson<StatusReport>();
    expect(report.total).toBe(3);
    expect(report.byStatus.PENDING).toBe(3);
    expect(report.staleSync).toMatchObject({ runId: 'sync-killed', recounted: true });
    expect((await getProgress(table)).total).toBe(3);
  });

  it('reset-campaign is refused with exit 2 naming the campaign that holds the lease', async () => {
    await acquireLease(table, 'reset-campaign', {
      owner: 'campaign-1',
      holder: 'ops-host:42',
      ttlMs: 60_000,
    });

    const { code, deps } = await cli('reset-campaign', '--yes');

    expect(code).toBe(2);
    expect(deps.stderr.text).toContain('A reset-campaign is already running: "campaign-1" (ops-host:42');
  });
});
