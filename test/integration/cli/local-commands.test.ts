import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { systemClock } from '#shared/clock';
import type { SeededUser } from '#local/seed';
import { readLiveLocalState } from '#local/state-file';
import { runCli } from '../../../cli/index';
import type { PreflightReport } from '../../../cli/commands/preflight';
import type { StatusReport } from '../../../cli/commands/status';
import { testDeps, type TestDeps } from './cli-harness';

describe('commands against `local start` with --local', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cognito-migrate-cli-'));
  const stateFile = join(dir, 'local.json');
  let stackDeps: TestDeps;
  let stack: Promise<number>;
  const cli = async (...args: string[]) => {
    const deps = testDeps({ clock: systemClock, cwd: dir });
    const code = await runCli(['--local', '--state-file', stateFile, ...args], deps);
    return { code, deps };
  };

  beforeAll(async () => {
    stackDeps = testDeps({ clock: systemClock, cwd: dir });
    stack = runCli(['--state-file', stateFile, 'local', 'start', '--users', '40'], stackDeps);
    // Poll for the state file: it is written once the stack is ready.
    while (!existsSync(stateFile)) await new Promise((resolve) => setTimeout(resolve, 50));
  }, 30_000);

  afterAll(async () => {
    stackDeps.controller.abort();
    await stack;
  });

  it("prints the target's managed login URL, which redirects to the sign-in form", async () => {
    const loginUrl = /^ {2}login {5}(\S+)$/m.exec(stackDeps.stdout.text)?.[1];

    const response = await fetch(String(loginUrl), { redirect: 'manual' });

    expect(loginUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth2\/authorize\?response_type=code&client_id=/);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toMatch(/^\/login\?/);
  });

  it('preflight passes the default pools with no blocker (exit 0)', async () => {
    const { code, deps } = await cli('--json', 'preflight');

    expect(deps.stdout.lastJson<PreflightReport>()).toMatchObject({ ok: true, blockers: 0 });
    expect(code).toBe(0);
  });

  it('sync start --local runs the bulk sync to the end, then status counts every user PENDING', async () => {
    const sync = await cli('--json', 'sync', 'start', '--wait');
    const status = await cli('--json', 'status');

    expect(sync.code).toBe(0);
    expect(sync.deps.stdout.lastJson()).toMatchObject({ status: 'SUCCEEDED', usersExported: 40 });
    expect(status.deps.stdout.lastJson<StatusReport>()).toMatchObject({
      total: 40,
      byStatus: { PENDING: 40 },
    });
  }, 60_000);

  it('reset-campaign without --yes and without a terminal refuses with exit 2 and changes nothing', async () => {
    const { code, deps } = await cli('reset-campaign');

    expect(code).toBe(2);
    expect(deps.stderr.text).toMatch(/; pass --yes/);
  });

  it('local outbox answers with the target pool messages (none before anyone resets)', async () => {
    const { code, deps } = await cli('--json', 'local', 'outbox');

    expect(code).toBe(0);
    expect(deps.stdout.lastJson()).toEqual([]);
  });

  it('after a sign-in, local events lists its one UserMigrated event and export sub-map its row', async () => {
    const users = JSON.parse(readFileSync(join(dir, 'seeded-users.json'), 'utf8')) as SeededUser[];
    const user = users.find((u) => u.kind === 'confirmed' && u.mfa === 'none')!;
    const state = readLiveLocalState(stateFile);
    const app = new CognitoIdentityProviderClient({
      region: state.region,
      endpoint: state.cognitoEndpoint,
      credentials: state.credentials,
    });
    await app.send(
      new InitiateAuthCommand({
        ClientId: state.target.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: user.username, PASSWORD: user.password },
      }),
    );
    app.destroy();

    const events = await cli('local', 'events', '--detail-type', 'UserMigrated');
    const exported = await cli('export', 'sub-map', '--format', 'jsonl');

    expect(events.code).toBe(0);
    const [event] = events.deps.stdout.lines.map(
      (line) => JSON.parse(line) as { detail: Record<string, string> },
    );
    expect(events.deps.stdout.lines).toHaveLength(1);
    expect(exported.deps.stdout.lines.map((line) => JSON.parse(line) as Record<string, string>)).toEqual([
      expect.objectContaining({
        sourceUsername: user.username,
        sourceSub: event!.detail.sourceSub,
        targetSub: event!.detail.targetSub,
      }),
    ]);
  }, 30_000);

  it('removes the state file when interrupted', async () => {
    stackDeps.controller.abort();

    expect(await stack).toBe(0);
    expect(existsSync(stateFile)).toBe(false);
  });
});
