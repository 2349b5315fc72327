import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '#shared/clock';
import { readLocalState, writeLocalState, type LocalState } from '#local/state-file';
import { runCli } from '../../../cli/index';
import type { StatusReport } from '../../../cli/commands/status';
import { testDeps } from './cli-harness';

/** A pid that certainly ran and is gone: a child that already exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid;

describe('local start --state-dir and stale state files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cognito-migrate-state-dir-'));
  const stateFile = join(dir, 'local.json');
  const stateDir = join(dir, 'kept');
  const cli = async (...args: string[]) => {
    const deps = testDeps({ clock: systemClock, cwd: dir });
    const code = await runCli(['--local', '--state-file', stateFile, ...args], deps);
    return { code, deps };
  };
  const start = async () => {
    const deps = testDeps({ clock: systemClock, cwd: dir });
    const running = runCli(
      ['--state-file', stateFile, 'local', 'start', '--users', '20', '--state-dir', stateDir],
      deps,
    );
    // Poll for a state file of this process: it is written once the stack is ready.
    while (!existsSync(stateFile) || readLocalState(stateFile).pid !== process.pid)
      await new Promise((resolve) => setTimeout(resolve, 50));
    return { deps, running, state: readLocalState(stateFile) };
  };
  let first: LocalState;

  it('a --local command reports a state file whose process is gone in one line, exit 2', async () => {
    writeLocalState(stateFile, {
      region: 'us-east-1',
      cognitoEndpoint: 'http://127.0.0.1:9',
      dynamodbEndpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      source: { userPoolId: 'us-east-1_gone', migrationClientId: 'gone' },
      target: { userPoolId: 'us-east-1_gone', clientId: 'gone' },
      tableName: 'gone',
      pid: deadPid(),
    });

    const { code, deps } = await cli('status');

    expect(code).toBe(2);
    expect(deps.stderr.text.split('\n')[0]).toMatch(/is stale: its process \d+ is gone/);
    expect(deps.stderr.text).not.toMatch(/ECONNREFUSED/);
  });

  it('local start replaces the stale file, and the bulk sync writes the table kept in the state dir', async () => {
    const stack = await start();
    first = stack.state;
    const sync = await cli('--json', 'sync', 'start', '--wait');
    stack.deps.controller.abort();

    expect(await stack.running).toBe(0);
    expect(stack.deps.stdout.text).toMatch(/replacing stale state file/);
    expect(sync.code).toBe(0);
  }, 60_000);

  it('a second start with the same state dir serves the same pools and table: status still counts every user', async () => {
    const stack = await start();
    const status = await cli('--json', 'status');
    stack.deps.controller.abort();

    expect(await stack.running).toBe(0);
    expect(stack.state).toMatchObject({
      source: first.source,
      target: first.target,
      tableName: first.tableName,
    });
    expect(stack.deps.stdout.text).toMatch(/resumed from/);
    expect(status.deps.stdout.lastJson<StatusReport>()).toMatchObject({
      total: 20,
      byStatus: { PENDING: 20 },
    });
  }, 60_000);
});
