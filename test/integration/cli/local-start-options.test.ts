import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '#shared/clock';
import { readLocalState } from '#local/state-file';
import { runCli } from '../../../cli/index';
import type { PreflightReport } from '../../../cli/commands/preflight';
import { testDeps, type TestDeps } from './cli-harness';

const FIXTURES = join(__dirname, '../../fixtures/pools');

describe("local start with a real run's settings: pool files, --migration-config, --quotas", () => {
  const dir = mkdtempSync(join(tmpdir(), 'cognito-migrate-start-'));
  const stateFile = join(dir, 'local.json');
  const settingsFile = join(dir, 'migration.json');
  let stackDeps: TestDeps;
  let stack: Promise<number>;

  beforeAll(async () => {
    writeFileSync(
      settingsFile,
      JSON.stringify({
        region: 'eu-west-1',
        source: { userPoolId: 'eu-west-1_Real', migrationClientId: 'real' },
        target: { userPoolId: 'eu-west-1_Tgt' },
        tableName: 'prod',
        migrationWindowEnd: '2031-01-31T00:00:00Z',
        mfaPolicy: 'reject',
        disabledUsers: 'skip',
        quotaShare: 0.5,
      }),
    );
    stackDeps = testDeps({ clock: systemClock, cwd: dir });
    stack = runCli(
      [
        '--state-file',
        stateFile,
        'local',
        'start',
        '--source-pool-config',
        join(FIXTURES, 'email-username.json'),
        '--target-pool-config',
        join(FIXTURES, 'custom-attributes.json'),
        '--migration-config',
        settingsFile,
        '--quotas',
        '10',
        '--users',
        '30',
      ],
      stackDeps,
    );
    // Poll for the state file: it is written once the stack is ready.
    while (!existsSync(stateFile)) {
      if (stackDeps.stderr.text) throw new Error(stackDeps.stderr.text);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, 60_000);

  afterAll(async () => {
    stackDeps.controller.abort();
    await stack;
  });

  it("records the file's settings (not its deployment) and its window end in the state file", () => {
    const state = readLocalState(stateFile);
    expect(state.settings).toMatchObject({ mfaPolicy: 'reject', disabledUsers: 'skip', quotaShare: 0.5 });
    expect(state.settings?.accountQuotas).toMatchObject({ UserList: 300 });
    expect(state.migrationWindowEnd).toBe('2031-01-31T00:00:00Z');
    expect(state.source.userPoolId).not.toBe('eu-west-1_Real');
  });

  it('preflight --local finds no false blocker for pools copied from describe-user-pool files', async () => {
    const deps = testDeps({ clock: systemClock, cwd: dir });
    await runCli(['--local', '--state-file', stateFile, '--json', 'preflight', '--no-scan'], deps);
    const report = deps.stdout.lastJson<PreflightReport>();
    expect(report.findings.map((f) => f.message).join('\n')).not.toMatch(/requires "sub"/);
    // The pools really differ (email username vs email username with required name/birthdate).
    expect(report.findings.map((f) => f.code)).toContain('REQUIRED_ATTRIBUTE_DIFFERS');
  });
});

describe('local start usage errors', () => {
  it.each([
    [['--source-endpoint', 'http://127.0.0.1:1'], /go together/],
    [['--quotas', 'fast'], /off, default or a positive number/],
    [['--migration-config', '/nonexistent/migration.json'], /Cannot read migration settings/],
    [['--source-pool-config', '/nonexistent/pool.json'], /Cannot read pool settings/],
  ])('local start %j exits 2 with the reason', async (args, message) => {
    const deps = testDeps({ clock: systemClock, cwd: mkdtempSync(join(tmpdir(), 'cognito-migrate-start-')) });
    const code = await runCli(['local', 'start', '--users', '0', ...args], deps);
    expect(deps.stderr.text).toMatch(message);
    expect(code).toBe(2);
  });
});
