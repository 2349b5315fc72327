import {
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  ConfirmForgotPasswordCommand,
  InitiateAuthCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { ManualClock } from '#shared/clock';
import { getProgress } from '#shared/table/progress';
import type { TableContext } from '#shared/table/context';
import { getUser, recordMigrated, type SourceUserSnapshot } from '#shared/table/users';
import { startCognitoEmulator, type CognitoEmulator } from '#local/cognito/index';
import { reconcile } from '../../../functions/reconcile/reconcile';
import { runResetCampaign } from '../../../functions/reconcile/reset-campaign';
import { startLocalTables, type LocalTableHarness } from '../../support/local-table';
import { aSourceUser } from '../../support/users';
import { createPools, emulatorDeps, putInSource, putInTarget, seedSnapshot, WINDOW_END } from './harness';

const user = (
  username: string,
  extra: Partial<SourceUserSnapshot> & { groups?: string[] } = {},
): SourceUserSnapshot & { groups?: string[] } => {
  const base = aSourceUser({ username });
  return {
    ...base,
    ...extra,
    attributes: { ...base.attributes, name: `Name of ${username}`, ...extra.attributes },
  };
};

const MIGRATED = ['mia', 'max'].map((name) => user(name));
const UNRECORDED = user('uma');
const STRAGGLERS = [
  user('ann', { groups: ['admins', 'staff'] }),
  user('bob', { groups: ['staff'] }),
  user('cat'),
  user('dan', { enabled: false }),
];
const LATE_SIGN_IN = user('liv', { groups: ['staff'] });
const NO_CONTACT = user('ned', { attributes: { email_verified: 'false' } });
const DELETED = user('del');
const SNAPSHOT = [...MIGRATED, UNRECORDED, ...STRAGGLERS, LATE_SIGN_IN, NO_CONTACT, DELETED];
const NEW_PASSWORD = 'Brand-New-Passw0rd!';

let tables: LocalTableHarness;
let emulator: CognitoEmulator;
let clock: ManualClock;
let table: TableContext;
let admin: CognitoIdentityProviderClient;
let pools: Awaited<ReturnType<typeof createPools>>;

beforeAll(async () => {
  tables = await startLocalTables();
  clock = new ManualClock(WINDOW_END - 24 * 3600_000);
  emulator = await startCognitoEmulator({ clock, quotas: 'default' });
  table = await tables.newTable(clock);
  pools = await createPools(emulator);
  admin = pools.admin;
  await seedSnapshot(table, SNAPSHOT, ['admins', 'staff']);
  for (const u of SNAPSHOT.filter((s) => s !== DELETED))
    putInSource(emulator, pools.source.poolId, u, u.groups);
  // Lazy sign-ins during the window: two recorded, one whose record was lost.
  for (const u of [...MIGRATED, UNRECORDED]) putInTarget(emulator, pools.target.poolId, u);
  for (const u of MIGRATED)
    await recordMigrated(table, u.username, { method: 'password', targetUsername: u.username });
});
afterAll(async () => {
  admin.destroy();
  await emulator.close();
  await tables.close();
});

const deps = () =>
  emulatorDeps(emulator, table, clock, { source: pools.source.poolId, target: pools.target.poolId });
const statusOf = async (username: string) => (await getUser(table, username))?.status;

describe('reconcile and the reset campaign through the emulator', () => {
  it('during the window, records the migration nobody recorded and flags no one', async () => {
    const report = await reconcile(deps());

    expect(report.windowEnded).toBe(false);
    expect(report.repair.repaired).toEqual(['uma']);
    expect(report.flag).toBeUndefined();
    expect(await getUser(table, 'uma')).toMatchObject({ status: 'MIGRATED', method: 'reconciled' });
  });

  it('after the window, flags exactly the users who never signed in, and marks the one deleted from the source', async () => {
    clock.advance(25 * 3600_000);

    const report = await reconcile(deps());

    expect(report.flag?.flagged.sort()).toEqual(['ann', 'bob', 'cat', 'dan', 'liv', 'ned']);
    expect(report.flag?.sourceDeleted).toEqual(['del']);
    for (const u of [...MIGRATED, UNRECORDED]) expect(await statusOf(u.username)).toBe('MIGRATED');
  });

  it('changes nothing when reconcile runs again', async () => {
    const before = await getProgress(table);

    const report = await reconcile(deps());

    expect(report.flag).toEqual({ flagged: [], sourceDeleted: [], outOfScope: [], complete: true });
    expect(report.repair.repaired).toEqual([]);
    expect((await getProgress(table)).byStatus).toEqual(before.byStatus);
  });

  it('previews the campaign in a dry run without writing anything', async () => {
    const report = await runResetCampaign(deps(), { dryRun: true });

    expect(report.counts).toMatchObject({ 'would-reset': 4, 'needs-admin': 2 });
    expect(report.sample?.find((s) => s.username === 'ann')).toMatchObject({
      targetUsername: 'ann',
      groups: ['admins', 'staff'],
      attributeNames: ['custom:legacy_sub', 'email', 'email_verified', 'name'],
    });
    expect(report.sample?.find((s) => s.username === 'dan')).toMatchObject({
      outcome: 'needs-admin',
      reason: 'DISABLED_IN_SOURCE',
      disabled: true,
    });
    expect(await statusOf('ann')).toBe('FLAGGED_FOR_RESET');
    expect(emulator.outbox.list({ userPoolId: pools.target.poolId })).toEqual([]);
  });

  it('resets the stragglers, counts the one who signs in during the campaign as MIGRATED, and sends the rest (the disabled one created disabled) to an admin', async () => {
    const campaignDeps = deps();
    // liv signs in while the campaign runs: the trigger creates her and records MIGRATED first.
    campaignDeps.target.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Username?: string };
        if (context.commandName === 'AdminCreateUserCommand' && input.Username === 'liv') {
          putInTarget(emulator, pools.target.poolId, LATE_SIGN_IN);
          await recordMigrated(table, 'liv', { method: 'password', targetUsername: 'liv' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'lateSignIn' },
    );

    const report = await runResetCampaign(campaignDeps);

    expect(report.complete).toBe(true);
    expect(report.counts).toMatchObject({ 'reset-sent': 3, migrated: 1, 'needs-admin': 2 });
    expect(report.users).toEqual({
      migrated: [{ username: 'liv', reason: 'SIGNED_IN' }],
      'needs-admin': [
        { username: 'dan', reason: 'DISABLED_IN_SOURCE' },
        { username: 'ned', reason: 'NO_VERIFIED_CONTACT' },
      ],
    });
    expect(emulator.outbox.list({ userPoolId: pools.target.poolId, username: 'liv' })).toEqual([]);
  });

  // A disabled user is created (disabled, with groups) but not reset: CONFIRMED with a random
  // password nobody knows, so an administrator who enables them can still AdminResetUserPassword.
  it('created each straggler from the snapshot: attributes, legacy sub, groups; RESET_REQUIRED, or disabled and not reset', async () => {
    for (const u of STRAGGLERS) {
      const got = await admin.send(
        new AdminGetUserCommand({ UserPoolId: pools.target.poolId, Username: u.username }),
      );
      const attributes = Object.fromEntries((got.UserAttributes ?? []).map((a) => [a.Name, a.Value]));
      const { Groups = [] } = await admin.send(
        new AdminListGroupsForUserCommand({ UserPoolId: pools.target.poolId, Username: u.username }),
      );

      expect(got.UserStatus).toBe(u.enabled ? 'RESET_REQUIRED' : 'CONFIRMED');
      expect(got.Enabled).toBe(u.enabled);
      expect(attributes).toMatchObject({
        email: u.attributes.email,
        email_verified: 'true',
        name: u.attributes.name,
        'custom:legacy_sub': u.sub,
      });
      expect(Groups.map((g) => g.GroupName).sort()).toEqual(u.groups ?? []);
    }
  });

  it('sent each reset user exactly one code, with which they set a new password and sign in', async () => {
    for (const u of STRAGGLERS.filter((s) => s.enabled)) {
      const codes = emulator.outbox.list({ userPoolId: pools.target.poolId, username: u.username });
      expect(codes.map((m) => m.kind)).toEqual(['reset']);

      await admin.send(
        new ConfirmForgotPasswordCommand({
          ClientId: pools.target.clientId,
          Username: u.username,
          ConfirmationCode: codes[0]!.code!,
          Password: NEW_PASSWORD,
        }),
      );
      const auth = await admin.send(
        new InitiateAuthCommand({
          ClientId: pools.target.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: u.username, PASSWORD: NEW_PASSWORD },
        }),
      );
      expect(auth.AuthenticationResult?.IdToken).toBeDefined();
    }
  });

  it('sent the disabled straggler no code: they could not use it, an administrator decides', async () => {
    const disabled = STRAGGLERS.filter((s) => !s.enabled).map((s) => s.username);

    const sent = disabled.flatMap((username) =>
      emulator.outbox.list({ userPoolId: pools.target.poolId, username }),
    );

    expect(disabled).toEqual(['dan']);
    expect(sent).toEqual([]);
    expect(await getUser(table, 'dan')).toMatchObject({
      status: 'NEEDS_ADMIN',
      reason: 'DISABLED_IN_SOURCE',
    });
  });

  it('accounts for every source user exactly once in the final counts', async () => {
    await reconcile(deps());
    const progress = await getProgress(table);

    expect(progress.total).toBe(SNAPSHOT.length);
    expect(progress.byStatus).toEqual({
      PENDING: 0,
      MIGRATED: 4,
      FLAGGED_FOR_RESET: 0,
      RESET_SENT: 3,
      NEEDS_ADMIN: 2,
      SOURCE_DELETED: 1,
      OUT_OF_SCOPE: 0,
    });
  });
});
