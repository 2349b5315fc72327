import {
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  RevokeTokenCommand,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { getProgress } from '#shared/table/progress';
import type { TableContext } from '#shared/table/context';
import { getUser, transitionStatus, type SourceUserSnapshot } from '#shared/table/users';
import { useLocalTable } from '../../support/local-table';
import { aSourceUser } from '../../support/users';
import { handleLazyMigrate } from '../../../functions/lazy-migrate/migrate-user';
import { REFUSAL_MESSAGE } from '../../../functions/lazy-migrate/refusal';
import { SIGN_UP_CONFLICT_MESSAGE } from '../../../functions/lazy-migrate/pre-sign-up';
import {
  aConfig,
  adminGetUserOf,
  anIdToken,
  forgotPasswordEvent,
  makeDeps,
  preSignUpEvent,
  seedSnapshot,
  signInEvent,
  SOURCE_POOL,
  type TestDeps,
} from './harness';

const source = mockClient(CognitoIdentityProviderClient);
const local = useLocalTable();
const scoped = aConfig({ migrationScope: { attribute: 'custom:tenant', values: ['acme'] } });
let table: TableContext;

const tenantUser = (username: string, tenant: string) =>
  aSourceUser({
    username,
    attributes: { email: `${username}@example.com`, email_verified: 'true', 'custom:tenant': tenant },
  });
const alice = tenantUser('alice', 'acme');
const gary = tenantUser('gary', 'globex');
const notFound = () => new UserNotFoundException({ message: 'User does not exist.', $metadata: {} });

const tokensFor = (user: SourceUserSnapshot) => ({
  AuthenticationResult: {
    AccessToken: 'access',
    RefreshToken: 'source-refresh-token',
    IdToken: anIdToken({
      'cognito:username': user.username,
      sub: user.sub,
      ...user.attributes,
      email_verified: true,
    }),
  },
});

/** The source pool knows alice (acme) and gary (globex); the password is right for both. */
const sourceKnows = (...users: SourceUserSnapshot[]) => {
  const byName = new Map(users.map((user) => [user.username, user]));
  const listed = (user: SourceUserSnapshot) => ({
    Username: user.username,
    Attributes: Object.entries(user.attributes).map(([Name, Value]) => ({ Name, Value })),
  });
  source.on(AdminInitiateAuthCommand).callsFake((input: { AuthParameters?: Record<string, string> }) => {
    const user = byName.get(input.AuthParameters?.USERNAME ?? '');
    if (!user) throw notFound();
    return tokensFor(user);
  });
  source.on(AdminGetUserCommand).callsFake((input: { Username?: string }) => {
    const user = byName.get(input.Username ?? '');
    if (!user) throw notFound();
    return adminGetUserOf(user);
  });
  source.on(ListUsersCommand).callsFake((input: { Filter?: string }) => ({
    Users: users.filter((user) => input.Filter === `email = "${user.attributes.email}"`).map(listed),
  }));
  source.on(RevokeTokenCommand).resolves({});
};

const outcome = async (deps: TestDeps, event: Parameters<typeof handleLazyMigrate>[0]) =>
  handleLazyMigrate(event, deps).then(
    (answered) => ({ answered }),
    (error: unknown) => ({ error: { name: (error as Error).name, message: (error as Error).message } }),
  );

beforeEach(() => {
  source.reset();
  table = local.table;
});

describe('UserMigration_Authentication with a migration scope', () => {
  it('answers an out-of-scope user exactly as an unknown user, and records nothing for them', async () => {
    sourceKnows(alice, gary);
    const deps = makeDeps(table, { config: scoped });

    const outOfScope = await outcome(deps, signInEvent('gary'));
    const unknown = await outcome(makeDeps(table, { config: scoped }), signInEvent('nobody'));

    expect(outOfScope).toEqual({ error: { name: 'MigrationRefusedError', message: REFUSAL_MESSAGE } });
    expect(outOfScope).toEqual(unknown);
    expect(deps.recorded.outcomes).toEqual([{ result: 'refused', reason: 'OUT_OF_SCOPE' }]);
    expect(await getUser(table, 'gary')).toBeUndefined();
    expect((await getProgress(table)).total).toBe(0);
  });

  it('decides from the ID token when it carries the scope attribute: one source round trip, like an unknown user', async () => {
    sourceKnows(gary);
    const deps = makeDeps(table, { config: scoped });

    await outcome(deps, signInEvent('gary'));

    expect(source.commandCalls(AdminInitiateAuthCommand)).toHaveLength(1);
    expect(source.commandCalls(AdminGetUserCommand)).toHaveLength(0);
  });

  it('reads the source user when the ID token does not carry the scope attribute (a client without read access)', async () => {
    sourceKnows(gary);
    const { 'custom:tenant': _hidden, ...visible } = gary.attributes;
    source
      .on(AdminInitiateAuthCommand)
      .resolves(tokensFor({ ...gary, attributes: visible as Record<string, string> }));
    const deps = makeDeps(table, { config: scoped });

    const answer = await outcome(deps, signInEvent('gary'));

    expect(answer).toEqual({ error: { name: 'MigrationRefusedError', message: REFUSAL_MESSAGE } });
    expect(source.commandCalls(AdminGetUserCommand)).toHaveLength(1);
    expect(deps.recorded.outcomes).toEqual([{ result: 'refused', reason: 'OUT_OF_SCOPE' }]);
  });

  it('migrates an in-scope user as before', async () => {
    sourceKnows(alice, gary);
    await seedSnapshot(table, alice);
    const deps = makeDeps(table, { config: scoped });

    const event = await handleLazyMigrate(signInEvent('alice'), deps);

    expect(event.response).toMatchObject({ finalUserStatus: 'CONFIRMED' });
    expect(await getUser(table, 'alice')).toMatchObject({ status: 'MIGRATED' });
  });

  it("decides on the source's current attributes: a snapshot user who left the scope is refused and stays unmigrated", async () => {
    await seedSnapshot(table, alice);
    const moved = { ...alice, attributes: { ...alice.attributes, 'custom:tenant': 'globex' } };
    sourceKnows(moved);
    const deps = makeDeps(table, { config: scoped });

    const answer = await outcome(deps, signInEvent('alice'));

    expect(answer).toEqual({ error: { name: 'MigrationRefusedError', message: REFUSAL_MESSAGE } });
    expect(await getUser(table, 'alice')).toMatchObject({ status: 'PENDING' });
  });

  it('migrates a user recorded OUT_OF_SCOPE who is back in scope at sign-in', async () => {
    await seedSnapshot(table, alice);
    await transitionStatus(table, 'alice', { from: ['PENDING'], to: 'OUT_OF_SCOPE' });
    sourceKnows(alice);
    const deps = makeDeps(table, { config: scoped });

    await handleLazyMigrate(signInEvent('alice'), deps);

    expect(await getUser(table, 'alice')).toMatchObject({ status: 'MIGRATED' });
  });

  it('refers no out-of-scope user to an administrator (no NEEDS_ADMIN write) on a temporary-password sign-in', async () => {
    const noContact = { ...gary, attributes: { 'custom:tenant': 'globex', sub: gary.sub } };
    sourceKnows(noContact);
    source.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 's' });
    source
      .on(AdminGetUserCommand, { Username: 'gary' })
      .resolves({ ...adminGetUserOf(noContact), UserStatus: 'FORCE_CHANGE_PASSWORD' });
    const deps = makeDeps(table, { config: scoped });

    await outcome(deps, signInEvent('gary'));

    expect(deps.recorded.outcomes).toEqual([{ result: 'refused', reason: 'OUT_OF_SCOPE' }]);
    expect(await getUser(table, 'gary')).toBeUndefined();
  });
});

describe('UserMigration_Authentication: the source token an out-of-scope sign-in minted', () => {
  /** RevokeToken answers only when the test releases it; `settled` tells whether the handler answered. */
  const holdRevocation = () => {
    const held = { release: () => undefined as void, calls: 0 };
    source.on(RevokeTokenCommand).callsFake(
      () =>
        new Promise((resolve) => {
          held.calls += 1;
          held.release = () => resolve({});
        }),
    );
    return held;
  };
  const untilRefusalCounted = async () => {
    while ((await getProgress(table)).refusals.OUT_OF_SCOPE !== 1) await new Promise(setImmediate);
    await new Promise(setImmediate);
  };

  it('is revoked before the refusal is answered (Lambda freezes what is left running)', async () => {
    sourceKnows(gary);
    const held = holdRevocation();
    const deps = makeDeps(table, { config: scoped });
    let settled = false;

    const answer = outcome(deps, signInEvent('gary')).finally(() => {
      settled = true;
    });
    await untilRefusalCounted();
    const settledBeforeRevoked = settled;
    held.release();

    expect(settledBeforeRevoked).toBe(false);
    expect(held.calls).toBe(1);
    expect(await answer).toEqual({ error: { name: 'MigrationRefusedError', message: REFUSAL_MESSAGE } });
  });

  it('is waited for no longer than the trigger deadline', async () => {
    sourceKnows(gary);
    holdRevocation();
    const deps = makeDeps(table, { config: scoped });

    const answer = outcome(deps, signInEvent('gary'));
    await untilRefusalCounted();
    deps.expire();

    expect(await answer).toEqual({ error: { name: 'MigrationRefusedError', message: REFUSAL_MESSAGE } });
    expect(deps.recorded.counts).toContain('FollowUpTimedOut');
  });
});

describe('UserMigration_ForgotPassword with a migration scope', () => {
  it('answers an out-of-scope user exactly as an unknown user, and records nothing for them', async () => {
    sourceKnows(alice, gary);
    const deps = makeDeps(table, { config: scoped });

    const outOfScope = await outcome(deps, forgotPasswordEvent('gary'));
    const unknown = await outcome(makeDeps(table, { config: scoped }), forgotPasswordEvent('nobody'));

    expect(outOfScope).toEqual({ error: { name: 'MigrationRefusedError', message: REFUSAL_MESSAGE } });
    expect(outOfScope).toEqual(unknown);
    expect(deps.recorded.outcomes).toEqual([{ result: 'refused', reason: 'OUT_OF_SCOPE' }]);
    expect(await getUser(table, 'gary')).toBeUndefined();
  });

  it('refuses, from the snapshot of a retired source, a user recorded as having left the scope', async () => {
    await seedSnapshot(table, { ...alice, attributes: { ...alice.attributes, 'custom:tenant': 'globex' } });
    const retired = aConfig({
      migrationScope: { attribute: 'custom:tenant', values: ['acme'] },
      source: { userPoolId: SOURCE_POOL, migrationClientId: 'c', retired: true },
    });
    const deps = makeDeps(table, { config: retired });

    const answer = await outcome(deps, forgotPasswordEvent('alice'));

    expect(answer).toEqual({ error: { name: 'MigrationRefusedError', message: REFUSAL_MESSAGE } });
    expect(deps.recorded.outcomes).toEqual([{ result: 'refused', reason: 'OUT_OF_SCOPE' }]);
  });

  it('migrates an in-scope user into RESET_REQUIRED as before', async () => {
    sourceKnows(alice);
    const deps = makeDeps(table, { config: scoped });

    const event = await handleLazyMigrate(forgotPasswordEvent('alice'), deps);

    expect(event.response).toMatchObject({ finalUserStatus: 'RESET_REQUIRED' });
  });
});

describe('PreSignUp guard with a migration scope', () => {
  it.each([
    ['username', { userName: 'gary', userAttributes: { email: 'new@example.com' } }],
    ['email', { userName: 'someone', userAttributes: { email: 'gary@example.com' } }],
  ])(
    "lets a sign-up through with an out-of-scope source user's %s (not ours to guard)",
    async (_, overrides) => {
      sourceKnows(gary);
      const deps = makeDeps(table, { config: scoped });

      const answer = await outcome(deps, preSignUpEvent('sign-up', overrides));

      expect(answer).toHaveProperty('answered');
    },
  );

  it('lets a sign-up through with the keys of a user recorded OUT_OF_SCOPE', async () => {
    await seedSnapshot(table, alice);
    await transitionStatus(table, 'alice', { from: ['PENDING'], to: 'OUT_OF_SCOPE' });
    sourceKnows({ ...alice, attributes: { ...alice.attributes, 'custom:tenant': 'globex' } });
    const deps = makeDeps(table, { config: scoped });

    const answer = await outcome(deps, preSignUpEvent('sign-up', { userName: 'alice' }));

    expect(answer).toHaveProperty('answered');
  });

  it.each([
    ['username', { userName: 'alice', userAttributes: { email: 'new@example.com' } }],
    ['email', { userName: 'someone', userAttributes: { email: 'alice@example.com' } }],
  ])(
    "still refuses a sign-up with an in-scope source user's %s, known only to the source",
    async (_, overrides) => {
      sourceKnows(alice);
      const deps = makeDeps(table, { config: scoped });

      await expect(handleLazyMigrate(preSignUpEvent('sign-up', overrides), deps)).rejects.toThrow(
        SIGN_UP_CONFLICT_MESSAGE,
      );
    },
  );
});
