import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { ManualClock } from '#shared/clock';
import { parseConfig } from '#shared/config';
import { addCounters, recordRefusal } from '#shared/table/progress';
import type { TableContext } from '#shared/table/context';
import { recordMigrated, transitionStatus, upsertSnapshot } from '#shared/table/users';
import { startLocalTables, type LocalTableHarness } from '../../support/local-table';
import { aSourceUser } from '../../support/users';
import { runCli } from '../../../cli/index';
import type { Connection } from '../../../cli/connection';
import type { StatusReport } from '../../../cli/commands/status';
import { testDeps } from './cli-harness';

const NOW = Date.UTC(2026, 5, 1, 12, 30);

describe('status and stragglers against a local migration table', () => {
  let tables: LocalTableHarness;
  let table: TableContext;
  let clock: ManualClock;

  const connection = (): Connection => ({
    config: parseConfig({
      source: { userPoolId: 'us-east-1_src', migrationClientId: 'c' },
      target: { userPoolId: 'us-east-1_tgt' },
      tableName: table.tableName,
      migrationWindowEnd: new Date(NOW + 2 * 86_400_000).toISOString(),
    }),
    table,
    source: {} as CognitoIdentityProviderClient,
    target: {} as CognitoIdentityProviderClient,
    close: () => undefined,
  });

  beforeAll(async () => {
    tables = await startLocalTables();
    clock = new ManualClock(NOW);
    table = await tables.newTable(clock);
    const users = Array.from({ length: 10 }, (_, i) =>
      aSourceUser({ username: `user-${i}`, attributes: { email: `User${i}@Example.com, "x"` } }),
    );
    for (const user of users) await upsertSnapshot(table, user);
    await addCounters(table, { total: 10, PENDING: 10 });
    for (const user of users.slice(0, 4)) {
      await recordMigrated(table, user.username, { method: 'password', targetUsername: user.username });
    }
    await transitionStatus(table, 'user-9', {
      from: ['PENDING'],
      to: 'NEEDS_ADMIN',
      reason: 'NO_VERIFIED_CONTACT',
    });
    await recordRefusal(table, 'AMBIGUOUS_USER');
  });

  afterAll(() => tables.close());

  it('status --json reports counts per status, the last hour, refusals, window and ETA from the counters', async () => {
    const deps = testDeps({ clock, connection: connection() });

    const code = await runCli(['--json', 'status'], deps);

    expect(code).toBe(0);
    const report = deps.stdout.lastJson<StatusReport>();
    expect(report.byStatus).toMatchObject({ MIGRATED: 4, PENDING: 5, NEEDS_ADMIN: 1 });
    expect(report.total).toBe(10);
    expect(report.percent.MIGRATED).toBe(40);
    expect(report.migratedLastHour).toBe(4);
    expect(report.refusals).toEqual({ AMBIGUOUS_USER: 1 });
    expect(report.windowRemainingMs).toBe(2 * 86_400_000);
    expect(report.etaMs).toBe(Math.round((5 / 4) * 3_600_000));
  });

  it('status prints a human table without --json', async () => {
    const deps = testDeps({ clock, connection: connection() });

    await runCli(['status'], deps);

    expect(deps.stdout.text).toMatch(/MIGRATED\s+4\s+40\.0%/);
    expect(deps.stdout.text).toMatch(/refusals\s+AMBIGUOUS_USER 1/);
  });

  it('status --watch refreshes until interrupted', async () => {
    const deps = testDeps({ clock, connection: connection() });
    let renders = 0;
    const write = deps.stdout.write.bind(deps.stdout);
    deps.stdout.write = (chunk: string) => {
      if (chunk.startsWith('{')) renders += 1;
      if (renders === 3) deps.controller.abort();
      return write(chunk);
    };

    const code = await runCli(['--json', 'status', '--watch', '--interval', '1'], deps);

    expect(code).toBe(0);
    expect(renders).toBe(3);
  });

  it('stragglers --format csv pages through every PENDING user, quoting fields per RFC 4180', async () => {
    const deps = testDeps({ clock, connection: connection() });

    const code = await runCli(['stragglers', '--format', 'csv', '--page-size', '2'], deps);

    expect(code).toBe(0);
    const [header, ...rows] = deps.stdout.lines;
    expect(header).toBe('username,email,status,userStatus,enabled,reason,groups');
    expect(rows.map((r) => r.split(',')[0]).sort()).toEqual([
      'user-4',
      'user-5',
      'user-6',
      'user-7',
      'user-8',
    ]);
    expect(rows[0]).toContain('"User');
    expect(rows[0]).toContain('""x""');
  });

  it('stragglers --status NEEDS_ADMIN --json prints one user object a line with the reason', async () => {
    const deps = testDeps({ clock, connection: connection() });

    await runCli(['--json', 'stragglers', '--status', 'needs_admin'], deps);

    expect(deps.stdout.lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ username: 'user-9', status: 'NEEDS_ADMIN', reason: 'NO_VERIFIED_CONTACT' }),
    ]);
  });

  it('stragglers rejects an unknown status with exit code 2 and nothing on stdout', async () => {
    const deps = testDeps({ clock, connection: connection() });

    const code = await runCli(['stragglers', '--status', 'DONE'], deps);

    expect(code).toBe(2);
    expect(deps.stdout.text).toBe('');
    expect(deps.stderr.text).toMatch(/^error: --status must be one of/);
  });

  it('reports a missing configuration as exit code 2 with a hint', async () => {
    const deps = testDeps({ clock });

    const code = await runCli(['status'], deps);

    expect(code).toBe(2);
    expect(deps.stderr.text).toMatch(/; pass --config FILE/);
  });

  it('reports a missing local state file as exit code 2 naming `local start`', async () => {
    const deps = testDeps({ clock, cwd: '/nonexistent' });

    const code = await runCli(['--local', 'status'], deps);

    expect(code).toBe(2);
    expect(deps.stderr.text).toMatch(/cognito-migrate local start/);
  });
});
