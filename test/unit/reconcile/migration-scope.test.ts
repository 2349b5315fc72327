import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { ManualClock } from '#shared/clock';
import { addCounters, getProgress } from '#shared/table/progress';
import type { TableContext } from '#shared/table/context';
import { getUser, transitionStatus, upsertSnapshot } from '#shared/table/users';
import { resetFlaggedUser } from '../../../functions/reconcile/campaign-user';
import { flagStragglers } from '../../../functions/reconcile/flag-stragglers';
import { runResetCampaign } from '../../../functions/reconcile/reset-campaign';
import { useLocalTable } from '../../support/local-table';
import { aSourceUser } from '../../support/users';
import { aConfig, aTargetSchema, fakeDeps } from './fakes';

const local = useLocalTable(() => new ManualClock(Date.UTC(2026, 11, 2)));
const scoped = aConfig({ migrationScope: { attribute: 'custom:tenant', values: ['acme'] } });
let table: TableContext;

beforeEach(() => {
  table = local.table;
});

const snapshotOf = async (username: string, status: 'PENDING' | 'FLAGGED_FOR_RESET' = 'PENDING') => {
  const user = aSourceUser({
    username,
    attributes: { email: `${username}@example.com`, email_verified: 'true', 'custom:tenant': 'acme' },
  });
  await upsertSnapshot(table, user);
  await addCounters(table, { total: 1, PENDING: 1 });
  if (status === 'FLAGGED_FOR_RESET')
    await transitionStatus(table, username, { from: ['PENDING'], to: 'FLAGGED_FOR_RESET' });
  return user;
};
/** The source today: each user's current tenant. */
const sourceSays = (sourceMock: ReturnType<typeof fakeDeps>['sourceMock'], tenants: Record<string, string>) =>
  sourceMock.on(AdminGetUserCommand).callsFake((input: { Username: string }) => {
    const tenant = tenants[input.Username];
    if (!tenant) throw new UserNotFoundException({ message: 'User does not exist.', $metadata: {} });
    return {
      Username: input.Username,
      Enabled: true,
      UserStatus: 'CONFIRMED',
      UserAttributes: [{ Name: 'custom:tenant', Value: tenant }],
    };
  });

describe('flagging stragglers with a migration scope', () => {
  it('flags in-scope stragglers and marks one who left the scope OUT_OF_SCOPE, never flagged', async () => {
    await snapshotOf('alice');
    await snapshotOf('mover');
    const { deps, sourceMock } = fakeDeps(table, scoped);
    sourceSays(sourceMock, { alice: 'acme', mover: 'globex' });

    const result = await flagStragglers(deps);

    expect(result).toMatchObject({ flagged: ['alice'], outOfScope: ['mover'], sourceDeleted: [] });
    expect(await getUser(table, 'mover')).toMatchObject({ status: 'OUT_OF_SCOPE', reason: 'LEFT_SCOPE' });
    expect((await getProgress(table)).byStatus).toMatchObject({ FLAGGED_FOR_RESET: 1, OUT_OF_SCOPE: 1 });
  });
});

describe('reset campaign with a migration scope', () => {
  it('re-reads the source and skips a flagged user who left the scope: nothing created, OUT_OF_SCOPE', async () => {
    await snapshotOf('mover', 'FLAGGED_FOR_RESET');
    const { deps, sourceMock, targetMock } = fakeDeps(table, scoped);
    sourceSays(sourceMock, { mover: 'globex' });

    const outcome = await resetFlaggedUser('mover', deps, aTargetSchema());

    expect(outcome).toEqual({ username: 'mover', outcome: 'skipped', reason: 'OUT_OF_SCOPE' });
    expect(targetMock.commandCalls(AdminCreateUserCommand)).toHaveLength(0);
    expect(targetMock.commandCalls(AdminResetUserPasswordCommand)).toHaveLength(0);
    expect(await getUser(table, 'mover')).toMatchObject({ status: 'OUT_OF_SCOPE' });
  });

  it('creates and resets a flagged user still in scope', async () => {
    await snapshotOf('alice', 'FLAGGED_FOR_RESET');
    const { deps, sourceMock, targetMock } = fakeDeps(table, scoped);
    sourceSays(sourceMock, { alice: 'acme' });
    targetMock
      .on(AdminCreateUserCommand)
      .resolves({ User: { Username: 'alice', UserStatus: 'FORCE_CHANGE_PASSWORD', Enabled: true } });
    targetMock.on(AdminSetUserPasswordCommand).resolves({});
    targetMock.on(AdminResetUserPasswordCommand).resolves({});

    const outcome = await resetFlaggedUser('alice', deps, aTargetSchema());

    expect(outcome).toEqual({ username: 'alice', outcome: 'reset-sent' });
  });

  it('reads nothing from the source without a scope', async () => {
    await snapshotOf('alice', 'FLAGGED_FOR_RESET');
    const { deps, sourceMock, targetMock } = fakeDeps(table);
    targetMock
      .on(AdminCreateUserCommand)
      .resolves({ User: { Username: 'alice', UserStatus: 'FORCE_CHANGE_PASSWORD', Enabled: true } });
    targetMock.on(AdminSetUserPasswordCommand).resolves({});
    targetMock.on(AdminResetUserPasswordCommand).resolves({});

    await resetFlaggedUser('alice', deps, aTargetSchema());

    expect(sourceMock.commandCalls(AdminGetUserCommand)).toHaveLength(0);
  });

  it('shows an out-of-scope user as skipped in a dry run, changing nothing', async () => {
    await snapshotOf('mover', 'FLAGGED_FOR_RESET');
    const { deps, sourceMock } = fakeDeps(table, scoped);
    sourceSays(sourceMock, { mover: 'globex' });

    const report = await runResetCampaign(deps, { dryRun: true });

    expect(report.users.skipped).toEqual([{ username: 'mover', reason: 'OUT_OF_SCOPE' }]);
    expect(await getUser(table, 'mover')).toMatchObject({ status: 'FLAGGED_FOR_RESET' });
  });
});
