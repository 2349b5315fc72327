import {
  DescribeUserPoolCommand,
  CognitoIdentityProviderClient,
  ListGroupsCommand,
  ListUsersCommand,
  AdminGetUserCommand,
  type UserPoolClientType,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { advanceCheckpoint, createRun, finishRun } from '#shared/table/runs';
import { buildStatusReport, renderStatus } from '../../../cli/commands/status';
import { analysePlan } from '../../../cli/plan/analyse';
import { renderPlan } from '../../../cli/plan/render';
import { scanSource } from '../../../cli/plan/scan';
import { runPreflightChecks } from '../../../cli/preflight-checks';
import { useLocalTable } from '../../support/local-table';

const scope = { attribute: 'custom:tenant', values: ['acme'] };
const config = {
  quotaShare: 0.5,
  quotaShareByCategory: {},
  accountQuotas: {},
  disabledUsers: 'create-disabled' as const,
  migrationScope: scope,
};
const listed = (username: string, tenant?: string) => ({
  Username: username,
  UserStatus: 'CONFIRMED' as const,
  Enabled: true,
  Attributes: [
    { Name: 'email', Value: `${username}@example.com` },
    { Name: 'email_verified', Value: 'true' },
    ...(tenant ? [{ Name: 'custom:tenant', Value: tenant }] : []),
  ],
});

describe('plan with a migration scope', () => {
  const source = mockClient(CognitoIdentityProviderClient);
  beforeEach(() => {
    source.reset();
    source
      .on(DescribeUserPoolCommand)
      .resolves({ UserPool: { Id: 'us-east-1_pool', MfaConfiguration: 'OPTIONAL' } });
    source.on(ListUsersCommand).resolves({
      Users: [listed('a1', 'acme'), listed('a2', 'acme'), listed('g1', 'globex'), listed('none')],
    });
    source.on(ListGroupsCommand).resolves({ Groups: [] });
    source.on(AdminGetUserCommand).resolves({ Username: 'x', UserMFASettingList: [] });
  });

  it('counts the source users out of scope and reports the population of the users in scope', async () => {
    const client = new CognitoIdentityProviderClient({ region: 'us-east-1' });
    const scan = await scanSource(client, 'us-east-1_pool', { mfaDetail: true, scope });

    const report = analysePlan(scan, 'us-east-1_pool', config);

    expect(report.scope).toEqual({ attribute: 'custom:tenant', values: ['acme'], inScope: 2, outOfScope: 2 });
    expect(report.population.users).toBe(2);
    expect(report.campaign.reachable).toBe(2);
    expect(renderPlan(report)[0]).toBe(
      'source pool us-east-1_pool: 4 users, 2 in scope (custom:tenant = acme), 2 out of scope',
    );
  });

  it('reads MFA factors of in-scope users only', async () => {
    const client = new CognitoIdentityProviderClient({ region: 'us-east-1' });

    await scanSource(client, 'us-east-1_pool', { mfaDetail: true, scope });

    expect(
      source
        .commandCalls(AdminGetUserCommand)
        .map((c) => c.args[0].input.Username)
        .sort(),
    ).toEqual(['a1', 'a2']);
  });

  it('reports no scope section without a scope', async () => {
    const client = new CognitoIdentityProviderClient({ region: 'us-east-1' });
    const scan = await scanSource(client, 'us-east-1_pool', { mfaDetail: false });

    const report = analysePlan(scan, 'us-east-1_pool', { ...config, migrationScope: undefined });

    expect(report.scope).toBeUndefined();
    expect(report.population.users).toBe(4);
  });
});

describe('status with a migration scope', () => {
  const local = useLocalTable();
  const windowEnd = '2030-01-01T00:00:00Z';
  const shard = (runId: string, key: string, seen: number, outOfScope: number) =>
    advanceCheckpoint(local.table, runId, `users#${key}`, {
      fromCursor: undefined,
      toCursor: undefined,
      seen,
      outOfScope,
      done: true,
    });

  it("reports the running sync's out-of-scope count so far, from its checkpoints", async () => {
    await createRun(local.table, 'run-1', {});
    await shard('run-1', '0', 5, 3);
    await shard('run-1', '1', 2, 4);

    const report = await buildStatusReport(local.table, windowEnd, scope);

    expect(report.scope).toEqual({
      description: 'custom:tenant = acme',
      runId: 'run-1',
      outOfScope: 7,
      complete: false,
    });
    expect(renderStatus(report).join('\n')).toMatch(
      /scope +custom:tenant = acme: 7 source users out of scope in bulk sync run-1 \(so far\)/,
    );
  });

  it("reports a finished sync's recorded out-of-scope count", async () => {
    await createRun(local.table, 'run-1', {});
    await finishRun(local.table, 'run-1', { status: 'SUCCEEDED', counts: { users: 2, outOfScope: 9 } });

    const report = await buildStatusReport(local.table, windowEnd, scope);

    expect(report.scope).toMatchObject({ outOfScope: 9, complete: true });
  });

  it('reports no scope without a scope configured', async () => {
    const report = await buildStatusReport(local.table, windowEnd);

    expect(report.scope).toBeUndefined();
    expect(renderStatus(report).join('\n')).not.toMatch(/^scope/m);
  });
});

describe('preflight with a migration scope', () => {
  const schema = (names: string[]) => ({ SchemaAttributes: names.map((Name) => ({ Name })) });
  const base = {
    target: schema(['sub', 'custom:tenant']),
    config: {
      attributeMap: { legacySubAttribute: null, renames: {}, drops: [] },
      mfaPolicy: 'reset' as const,
    },
  };
  const findingsFor = (attribute: string, readAttributes?: string[]) =>
    runPreflightChecks({
      ...base,
      source: schema(['sub', 'custom:tenant']),
      sourceClient: { ClientId: 'src', ...(readAttributes ? { ReadAttributes: readAttributes } : {}) },
      config: { ...base.config, migrationScope: { attribute, values: ['acme'] } },
    }).map((f) => `${f.level} ${f.code}`);

  it('blocks a scope on a custom attribute the source pool does not have (nobody would move)', () => {
    expect(findingsFor('custom:tennant')).toContain('BLOCKER SCOPE_ATTRIBUTE_UNKNOWN');
    expect(findingsFor('custom:tenant')).not.toContain('BLOCKER SCOPE_ATTRIBUTE_UNKNOWN');
  });

  describe('a scope attribute users can set themselves (they could move into scope and be migrated)', () => {
    const withClients = (
      attribute: string,
      sourceClients: UserPoolClientType[] | undefined,
      pool: { mutable?: boolean; adminCreateOnly?: boolean } = {},
    ) =>
      runPreflightChecks({
        ...base,
        source: {
          SchemaAttributes: [
            { Name: 'sub' },
            { Name: 'custom:tenant', Mutable: pool.mutable ?? true },
            { Name: 'locale', Mutable: true },
          ],
          AdminCreateUserConfig: { AllowAdminCreateUserOnly: pool.adminCreateOnly ?? false },
        },
        ...(sourceClients ? { sourceClients } : {}),
        config: { ...base.config, migrationScope: { attribute, values: ['acme'] } },
      }).map((f) => `${f.level} ${f.code}`);
    const app = (writeAttributes?: string[]): UserPoolClientType => ({
      ClientId: 'web',
      ClientName: 'web app',
      ...(writeAttributes ? { WriteAttributes: writeAttributes } : {}),
    });

    it.each([
      ['a client that lists it in WriteAttributes', 'custom:tenant', ['email', 'custom:tenant']],
      ['a client without WriteAttributes, for a standard attribute', 'locale', undefined],
    ])('warns for %s', (_, attribute, writeAttributes) => {
      expect(withClients(attribute, [app(writeAttributes)])).toContain('WARNING SCOPE_ATTRIBUTE_WRITABLE');
    });

    it.each([
      ['no client writes it', 'custom:tenant', ['email']],
      ['a client without WriteAttributes writes no custom attribute', 'custom:tenant', undefined],
    ])('says nothing when %s', (_, attribute, writeAttributes) => {
      expect(withClients(attribute, [app(writeAttributes)])).not.toContain(
        'WARNING SCOPE_ATTRIBUTE_WRITABLE',
      );
    });

    it('warns for an immutable attribute only where users sign up themselves (it is set at sign-up)', () => {
      const writer = [app(['custom:tenant'])];

      expect(withClients('custom:tenant', writer, { mutable: false })).toContain(
        'WARNING SCOPE_ATTRIBUTE_WRITABLE',
      );
      expect(withClients('custom:tenant', writer, { mutable: false, adminCreateOnly: true })).not.toContain(
        'WARNING SCOPE_ATTRIBUTE_WRITABLE',
      );
    });

    it('says the check was not made when the source clients could not be listed', () => {
      expect(withClients('custom:tenant', undefined)).toContain('INFO SCOPE_WRITERS_UNKNOWN');
    });
  });

  it('says when the migration client cannot read the scope attribute (one more AdminGetUser per out-of-scope sign-in)', () => {
    expect(findingsFor('custom:tenant', ['email'])).toContain('INFO SCOPE_ATTRIBUTE_NOT_IN_TOKEN');
    expect(findingsFor('custom:tenant', ['email', 'custom:tenant'])).not.toContain(
      'INFO SCOPE_ATTRIBUTE_NOT_IN_TOKEN',
    );
  });
});
