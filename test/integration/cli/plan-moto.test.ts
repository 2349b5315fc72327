import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sdk from '@aws-sdk/client-cognito-identity-provider';
import { systemClock } from '#shared/clock';
import { runCli } from '../../../cli/index';
import type { PlanReport } from '../../../cli/plan/analyse';
import { motoServerPath, startMoto, type Moto } from '../../support/moto';
import { testDeps } from './cli-harness';

const MOTO = motoServerPath();

/** Source users the test creates, and what plan must report about them. */
interface Expected {
  users: number;
  byStatus: Record<string, number>;
  disabled: number;
  sms: number;
  noVerifiedContact: string[];
  unconfirmed: string[];
}

const attrs = (record: Record<string, string>) =>
  Object.entries(record).map(([Name, Value]) => ({ Name, Value }));

/**
 * A realistic legacy pool in moto (an independent Cognito implementation): confirmed, temporary-
 * password, unconfirmed and disabled users; verified and unverified emails and phones; SMS MFA;
 * groups; and login keys several users share (case variants, an email that is another's username).
 */
const populate = async (
  cognito: sdk.CognitoIdentityProviderClient,
): Promise<{ poolId: string; expected: Expected }> => {
  const { UserPool } = await cognito.send(
    new sdk.CreateUserPoolCommand({
      PoolName: 'legacy',
      AliasAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: true },
      MfaConfiguration: 'OPTIONAL',
      SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::123456789012:role/cognito-sms', ExternalId: 'x' },
    }),
  );
  const poolId = UserPool!.Id!;
  const { UserPoolClient } = await cognito.send(
    new sdk.CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app' }),
  );
  const expected: Expected = {
    users: 0,
    byStatus: {},
    disabled: 0,
    sms: 0,
    noVerifiedContact: [],
    unconfirmed: [],
  };
  const create = async (username: string, attributes: Record<string, string>, permanent = true) => {
    await cognito.send(
      new sdk.AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: username,
        MessageAction: 'SUPPRESS',
        TemporaryPassword: 'Temp-Passw0rd!',
        UserAttributes: attrs(attributes),
      }),
    );
    if (permanent)
      await cognito.send(
        new sdk.AdminSetUserPasswordCommand({
          UserPoolId: poolId,
          Username: username,
          Password: 'Passw0rd!',
          Permanent: true,
        }),
      );
    const status = permanent ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
    expected.byStatus[status] = (expected.byStatus[status] ?? 0) + 1;
    expected.users += 1;
  };
  for (let i = 0; i < 90; i++) {
    const username = `user${String(i).padStart(2, '0')}`;
    const emailVerified = i % 10 !== 0;
    const phone = i % 4 === 0;
    await create(
      username,
      {
        email: `${username}@example.com`,
        email_verified: String(emailVerified),
        ...(phone
          ? { phone_number: `+1555000${String(i).padStart(4, '0')}`, phone_number_verified: 'true' }
          : {}),
      },
      i % 7 !== 0,
    );
    if (!emailVerified && !phone) expected.noVerifiedContact.push(username);
    if (i % 13 === 0) {
      await cognito.send(new sdk.AdminDisableUserCommand({ UserPoolId: poolId, Username: username }));
      expected.disabled += 1;
      // A disabled user is left to a person, not counted among those a code cannot reach.
      expected.noVerifiedContact = expected.noVerifiedContact.filter((u) => u !== username);
    }
    if (phone && i % 3 === 0) {
      await cognito.send(
        new sdk.AdminSetUserMFAPreferenceCommand({
          UserPoolId: poolId,
          Username: username,
          SMSMfaSettings: { Enabled: true, PreferredMfa: true },
        }),
      );
      expected.sms += 1;
    }
  }
  // Login keys several users answer to.
  await create('Alice', { email: 'alice@example.com', email_verified: 'true' });
  await create('alice', { email: 'alice.other@example.com', email_verified: 'true' });
  await create('dave@example.com', { email: 'dave.one@example.com', email_verified: 'true' });
  await create('erin', { email: 'Dave@Example.com', email_verified: 'true' });
  for (const name of ['pending1', 'pending2', 'pending3']) {
    await cognito.send(
      new sdk.SignUpCommand({
        ClientId: UserPoolClient!.ClientId!,
        Username: name,
        Password: 'Passw0rd!',
        UserAttributes: attrs({ email: `${name}@example.com` }),
      }),
    );
    expected.unconfirmed.push(name);
    expected.byStatus.UNCONFIRMED = (expected.byStatus.UNCONFIRMED ?? 0) + 1;
    expected.users += 1;
  }
  for (const [group, members] of [
    ['admins', ['user01', 'user02', 'Alice']],
    ['staff', Array.from({ length: 30 }, (_, i) => `user${String(i + 10).padStart(2, '0')}`)],
    ['empty', []],
  ] as const) {
    await cognito.send(new sdk.CreateGroupCommand({ UserPoolId: poolId, GroupName: group }));
    for (const member of members)
      await cognito.send(
        new sdk.AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: member, GroupName: group }),
      );
  }
  return { poolId, expected };
};

if (!MOTO) {
  it('plan against moto is skipped: moto_server is not on PATH (pip install "moto[server]")', () => {
    expect(MOTO).toBeUndefined();
  });
} else {
  describe('plan against a realistic pool held by moto', () => {
    let moto: Moto;
    let cognito: sdk.CognitoIdentityProviderClient;
    let poolId: string;
    let expected: Expected;
    let configFile: string;
    let before: string;
    let run: { code: number; report: PlanReport; stdout: string };

    beforeAll(async () => {
      moto = await startMoto(MOTO);
      cognito = new sdk.CognitoIdentityProviderClient({
        endpoint: moto.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      ({ poolId, expected } = await populate(cognito));
      const { UserPool: target } = await cognito.send(new sdk.CreateUserPoolCommand({ PoolName: 'target' }));
      const dir = mkdtempSync(join(tmpdir(), 'plan-moto-'));
      configFile = join(dir, 'config.json');
      // Every endpoint is moto's: whatever plan wrote anywhere would show in moto's state.
      writeFileSync(
        configFile,
        JSON.stringify({
          region: 'us-east-1',
          source: { userPoolId: poolId, migrationClientId: 'migration-client' },
          target: { userPoolId: target!.Id },
          tableName: 'cognito-migrate',
          migrationWindowEnd: '2030-01-01T00:00:00Z',
          endpoints: {
            cognito: moto.endpoint,
            dynamodb: moto.endpoint,
            sts: moto.endpoint,
            sfn: moto.endpoint,
            lambda: moto.endpoint,
          },
          credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
          quotaShare: 1,
        }),
      );
      before = await moto.snapshot();
      const deps = testDeps({ clock: systemClock });
      const code = await runCli(['--json', '--config', configFile, 'plan'], deps);
      run = { code, report: deps.stdout.lastJson<PlanReport>(), stdout: deps.stdout.text };
    }, 120_000);

    afterAll(async () => {
      cognito?.destroy();
      await moto?.stop();
    });

    it('writes nothing: moto holds exactly what it held before', async () => {
      expect(await moto.snapshot()).toBe(before);
    });

    it('counts users by status, enabled and MFA type', () => {
      expect(run.report.population).toMatchObject({
        users: expected.users,
        byStatus: expected.byStatus,
        disabled: expected.disabled,
        enabled: expected.users - expected.disabled,
      });
      expect(run.report.population.byMfa.sms).toBe(expected.sms);
      expect(run.report.population.byMfa.totp ?? 0).toBe(0);
    });

    it('finds the login keys several users share, by kind', () => {
      expect(run.report.collisions).toEqual(
        expect.arrayContaining([
          { key: 'alice', kind: 'case-variants', users: ['Alice', 'alice'] },
          { key: 'dave@example.com', kind: 'email-is-another-username', users: ['dave@example.com', 'erin'] },
        ]),
      );
    });

    it('exits 1 on the blocker the collisions are', () => {
      expect(run.report.findings.map((f) => f.code)).toContain('AMBIGUOUS_LOGIN_KEYS');
      expect(run.code).toBe(1);
    });

    it('lists who the campaign cannot reach and who it leaves to a person', () => {
      expect(run.report.campaign.unreachable.sort()).toEqual(expected.noVerifiedContact.sort());
      expect(run.report.campaign.leaveToPerson.SOURCE_UNCONFIRMED?.sort()).toEqual(expected.unconfirmed);
      expect(run.report.campaign.leaveToPerson.DISABLED_IN_SOURCE).toHaveLength(expected.disabled);
    });

    it('reports groups and memberships', () => {
      expect(run.report.groups).toMatchObject({ count: 3, memberships: 33, usersInGroups: 33 });
    });

    it('estimates durations at the quota share, naming the binding quota, and the cost', () => {
      const { bulkSync, campaign, cost } = run.report.estimates;
      expect(bulkSync.binding).toBe('UserList');
      expect(bulkSync.seconds).toBeGreaterThan(0);
      expect(campaign.binding).toBe('UserUpdate');
      expect(cost.sourceMau).toBeGreaterThan(0);
      expect(cost.total).toBeGreaterThan(0);
    });

    it('reads only: DescribeUserPool, ListUsers, ListGroups, ListUsersInGroup and AdminGetUser', () => {
      expect(Object.keys(run.report.sourceCalls).sort()).toEqual([
        'AdminGetUser',
        'DescribeUserPool',
        'ListGroups',
        'ListUsers',
        'ListUsersInGroup',
      ]);
    });

    it('prints a table without --json and exits 0 for a pool with no blocker', async () => {
      const deps = testDeps({ clock: systemClock });
      const clean = join(mkdtempSync(join(tmpdir(), 'plan-moto-')), 'config.json');
      const { UserPool } = await cognito.send(new sdk.CreateUserPoolCommand({ PoolName: 'clean' }));
      await cognito.send(
        new sdk.AdminCreateUserCommand({
          UserPoolId: UserPool!.Id!,
          Username: 'solo',
          MessageAction: 'SUPPRESS',
          UserAttributes: attrs({ email: 'solo@example.com', email_verified: 'true' }),
        }),
      );
      const config = JSON.parse(readFileSync(configFile, 'utf8')) as { source: Record<string, unknown> };
      writeFileSync(
        clean,
        JSON.stringify({ ...config, source: { ...config.source, userPoolId: UserPool!.Id } }),
      );

      const code = await runCli(['--config', clean, 'plan'], deps);

      expect(deps.stdout.text).toMatch(/source pool .*: 1 users/);
      expect(deps.stdout.text).toMatch(/bulk sync +\d+ s +bound by \w+ at \d+ req\/s/);
      expect(code).toBe(0);
    });
  });
}
