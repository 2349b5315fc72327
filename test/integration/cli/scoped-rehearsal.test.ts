import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  ListUsersCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { systemClock } from '#shared/clock';
import type { UserMigratedDetail } from '#shared/migration-events';
import type { RecordedEvent } from '#local/eventbridge/index';
import type { SeededUser } from '#local/seed';
import { readLiveLocalState, type LocalState } from '#local/state-file';
import { runCli } from '../../../cli/index';
import type { SubMapRow } from '../../../cli/export/sub-map';
import type { StatusReport } from '../../../cli/commands/status';
import { testDeps, type TestDeps } from './cli-harness';

/** Half of the seeded population's 40 drawn tenants: the target's; the other half stays behind. */
const OUR_TENANTS = Array.from({ length: 20 }, (_, i) => `tenant-${i}`);
const BUS = 'migration-events';
const USERS = 80;

/**
 * The "Done when", through the CLI an operator uses: `local start --migration-config` with a
 * migration scope and an event bus, bulk sync, sign-ins, reconcile after the window, the campaign,
 * then `export sub-map` against the target pool's own ListUsers and `local events`.
 */
describe('a scoped rehearsal through `local start --migration-config` (scope, sub map and events together)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cognito-migrate-scoped-'));
  const stateFile = join(dir, 'local.json');
  const settingsFile = join(dir, 'migration.json');
  let stackDeps: TestDeps;
  let stack: Promise<number>;
  let state: LocalState;
  let app: CognitoIdentityProviderClient;
  let seeded: SeededUser[];
  const cli = async (...args: string[]) => {
    const deps = testDeps({ clock: systemClock, cwd: dir });
    const code = await runCli(['--local', '--state-file', stateFile, ...args], deps);
    return { code, deps };
  };
  const signIn = (username: string, password: string) =>
    app
      .send(
        new InitiateAuthCommand({
          ClientId: state.target.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: username, PASSWORD: password },
        }),
      )
      .then(
        () => ({ signedIn: true }),
        (error: Error) => ({ error: { name: error.name, message: error.message } }),
      );
  const inScope = (user: SeededUser) => OUR_TENANTS.includes(user.tenant);

  beforeAll(async () => {
    writeFileSync(
      settingsFile,
      JSON.stringify({
        migrationScope: { attribute: 'custom:tenant', values: OUR_TENANTS },
        eventBusName: BUS,
        // Closed already: the reconciler flags whoever has not signed in, and the campaign runs.
        migrationWindowEnd: '2020-01-01T00:00:00.000Z',
      }),
    );
    stackDeps = testDeps({ clock: systemClock, cwd: dir });
    stack = runCli(
      [
        '--state-file',
        stateFile,
        'local',
        'start',
        '--users',
        String(USERS),
        '--migration-config',
        settingsFile,
      ],
      stackDeps,
    );
    // Poll for the state file: it is written once the stack is ready.
    while (!existsSync(stateFile)) await new Promise((resolve) => setTimeout(resolve, 50));
    state = readLiveLocalState(stateFile);
    app = new CognitoIdentityProviderClient({
      region: state.region,
      endpoint: state.cognitoEndpoint,
      credentials: state.credentials,
    });
    seeded = JSON.parse(readFileSync(join(dir, 'seeded-users.json'), 'utf8')) as SeededUser[];
  }, 60_000);

  afterAll(async () => {
    app?.destroy();
    stackDeps.controller.abort();
    await stack;
  });

  const targetUsers = async (): Promise<UserType[]> => {
    const users: UserType[] = [];
    let token: string | undefined;
    do {
      const page = await app.send(
        new ListUsersCommand({ UserPoolId: state.target.userPoolId, Limit: 60, PaginationToken: token }),
      );
      users.push(...(page.Users ?? []));
      token = page.PaginationToken;
    } while (token);
    return users;
  };
  const attribute = (user: UserType, name: string) => user.Attributes?.find((a) => a.Name === name)?.Value;

  it('migrates exactly the scope, answers the rest as unknown, and the sub map and events equal the target pool', async () => {
    const ours = seeded.filter(inScope);
    const theirs = seeded.filter((user) => !inScope(user));
    expect(ours.length).toBeGreaterThan(10);
    expect(theirs.length).toBeGreaterThan(10);

    const sync = await cli('--json', 'sync', 'start', '--wait');
    const status = await cli('--json', 'status');
    const signInable = (user: SeededUser) => user.kind === 'confirmed' && user.mfa === 'none';
    const oursSigningIn = ours.filter(signInable).slice(0, 8);
    for (const user of oursSigningIn)
      expect(await signIn(user.username, user.password)).toEqual({ signedIn: true });
    const unknown = await signIn('nobody-at-all', 'Whatever-Passw0rd!');
    const theirAnswers = await Promise.all(
      theirs
        .filter(signInable)
        .slice(0, 8)
        .map((user) => signIn(user.username, user.password)),
    );
    const reconcile = await cli('--json', 'reconcile');
    const campaign = await cli('--json', 'reset-campaign', '--yes');
    const exported = await cli('export', 'sub-map', '--format', 'jsonl');
    const events = await cli('local', 'events', '--detail-type', 'UserMigrated');

    expect([sync.code, status.code, reconcile.code, campaign.code, exported.code, events.code]).toEqual([
      0, 0, 0, 0, 0, 0,
    ]);
    expect(sync.deps.stdout.lastJson()).toMatchObject({ usersExported: ours.length });
    expect(status.deps.stdout.lastJson<StatusReport>()).toMatchObject({
      total: ours.length,
      scope: { outOfScope: theirs.length },
    });
    // Out of scope: the very answer an unknown user gets, and nothing of them in the target.
    expect(theirAnswers.length).toBeGreaterThan(0);
    for (const answer of theirAnswers) expect(answer).toEqual(unknown);
    const inTarget = await targetUsers();
    const theirNames = new Set(theirs.map((user) => user.username));
    expect(inTarget.filter((user) => theirNames.has(user.Username ?? ''))).toEqual([]);
    // The sub map: exactly the target pool's users, each with its sub and its legacy (source) sub.
    const rows = exported.deps.stdout.lines.map((line) => JSON.parse(line) as SubMapRow);
    expect(rows.length).toBeGreaterThan(oursSigningIn.length);
    const fromPool = inTarget
      .map((user) => `${user.Username} ${attribute(user, 'sub')} ${attribute(user, 'custom:legacy_sub')}`)
      .sort();
    expect(rows.map((row) => `${row.targetUsername} ${row.targetSub} ${row.sourceSub}`).sort()).toEqual(
      fromPool,
    );
    const ourNames = new Set(ours.map((user) => user.username));
    expect(rows.filter((row) => !ourNames.has(row.sourceUsername))).toEqual([]);
    // One event per migrated user, on the configured bus, matching the sub map.
    const recorded = events.deps.stdout.lines.map((line) => JSON.parse(line) as RecordedEvent);
    expect(recorded.every((event) => event.eventBusName === BUS)).toBe(true);
    const details = recorded.map((event) => event.detail as UserMigratedDetail);
    expect(new Set(details.map((d) => d.eventId)).size).toBe(details.length);
    expect(details.map((d) => `${d.sourceUsername} ${d.sourceSub} ${d.targetSub}`).sort()).toEqual(
      rows.map((row) => `${row.sourceUsername} ${row.sourceSub} ${row.targetSub}`).sort(),
    );
  }, 180_000);
});
