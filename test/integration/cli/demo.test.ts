import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { runCli } from '../../../cli/index';
import type { DemoReport } from '../../../cli/local/demo';
import { testDeps } from './cli-harness';

const ROOT = join(__dirname, '..', '..', '..');

const run = (command: string, args: string[], timeoutMs: number) =>
  new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish in ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });

describe('demo', () => {
  it('accounts for every one of 150 source users exactly once, and every invariant holds', async () => {
    const deps = testDeps();

    const code = await runCli(['--json', 'demo', '--users', '150'], deps);

    const report = deps.stdout.lastJson<DemoReport>();
    expect(report.invariants.filter((i) => !i.ok)).toEqual([]);
    expect(code).toBe(0);
    expect(Object.values(report.outcomes).reduce((a, b) => a + b, 0)).toBe(150);
    expect(report.outcomes.PENDING + report.outcomes.FLAGGED_FOR_RESET).toBe(0);
    expect(report.migratedBy.password).toBeGreaterThan(0);
    expect(report.phases.map((p) => p.name)).toEqual([
      'stack + seed',
      'preflight',
      'bulk sync',
      'sign-ins',
      'totp re-enrol',
      'reconcile',
      'reset campaign',
    ]);
  }, 120_000);

  it('runs as `npm run demo -- --users 50 --json`: the report is the last line and the exit code is 0', async () => {
    const { code, stdout } = await run(
      'npm',
      ['run', '--silent', 'demo', '--', '--users', '50', '--json'],
      120_000,
    );

    const lines = stdout.trim().split('\n');
    expect(code).toBe(0);
    expect(JSON.parse(lines[lines.length - 1] ?? '')).toMatchObject({ ok: true, users: 50 });
  }, 130_000);

  it('bin/cognito-migrate.js prints the help with the exit codes', async () => {
    const { code, stdout } = await run('node', ['bin/cognito-migrate.js', '--help'], 30_000);

    expect(code).toBe(0);
    expect(stdout).toContain('2  usage or configuration error');
  }, 35_000);
});
