import { ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { loadConfig, parseConfig } from '#shared/config';
import { dispatch as reconcileDispatch } from '../../functions/reconcile/dispatch';
import { outcomeOf, startFaultStack, type FaultStack } from './support/fault-stack';
import { PASSWORD, seedSecurityPopulation, USERS } from './support/population';

let stack: FaultStack;

beforeAll(async () => {
  stack = await startFaultStack();
  seedSecurityPopulation(stack.emulator, stack.source.poolId);
  // Cognito caps a string attribute value at 2048 characters; this one came from elsewhere.
  stack.emulator.store.createUserDirect(stack.source.poolId, {
    username: 'longbio',
    attributes: { email: 'longbio@example.com', email_verified: 'true', 'custom:tenant': 'x'.repeat(2049) },
    password: PASSWORD,
  });
  expect((await stack.functions.bulkSync({ taskBudgetSeconds: 5 })).status).toBe('SUCCEEDED');
});
afterAll(() => stack.close());

/** Everything the system could change: the table's items and both pools' users. */
const state = async () => {
  const items = await stack.table.doc.send(new ScanCommand({ TableName: stack.table.tableName }));
  const users = async (poolId: string) =>
    ((await stack.app.send(new ListUsersCommand({ UserPoolId: poolId }))).Users ?? [])
      .map((u) => `${u.Username}:${u.UserStatus}:${u.Enabled}`)
      .sort();
  return {
    // Refusals are counted by design (progress item `refusal_*`); nothing else may move.
    items: (items.Items ?? [])
      .map((item) => Object.fromEntries(Object.entries(item).filter(([key]) => !key.startsWith('refusal_'))))
      .sort((a, b) => `${a.pk}${a.sk}`.localeCompare(`${b.pk}${b.sk}`)),
    source: await users(stack.source.poolId),
    target: await users(stack.target.poolId),
  };
};

const migrationEvent = (overrides: Record<string, unknown>) => ({
  version: '1',
  triggerSource: 'UserMigration_Authentication',
  region: 'us-east-1',
  userPoolId: stack.target.poolId,
  userName: USERS.active,
  callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: stack.target.clientId },
  request: { password: PASSWORD, validationData: null, clientMetadata: null },
  response: {},
  ...overrides,
});

describe('bad input changes nothing', () => {
  it.each([
    ['no request at all', { request: undefined }],
    ['a password that is not a string', { request: { password: 42 } }],
    ['a userName with control characters', { userName: `${USERS.active}\u0000\u001b[2J` }],
    [
      'a userName with an unpaired surrogate (invalid UTF-8 once encoded)',
      { userName: `${USERS.active}\ud800` },
    ],
  ])('refuses a malformed UserMigration event (%s) with the fixed refusal', async (_case, overrides) => {
    const before = await state();

    const outcome = await outcomeOf(stack.functions.lazyMigrate(migrationEvent(overrides)));

    expect(outcome).toMatchObject({ ok: false, name: 'MigrationRefusedError' });
    expect(await state()).toEqual(before);
  });

  it('passes an unknown trigger source through untouched, migrating nobody', async () => {
    const before = await state();
    const event = migrationEvent({ triggerSource: 'UserMigration_Mystery' });

    const outcome = await outcomeOf(stack.functions.lazyMigrate(structuredClone(event)));

    expect(outcome).toEqual({ ok: true, value: event });
    expect(await state()).toEqual(before);
  });

  it.each([
    ['a control character', `${USERS.active}\u0007`],
    ['an unpaired surrogate', `${USERS.active}\udfff`],
    ['3,000 characters', 'a'.repeat(3000)],
  ])('answers a sign-in typed with %s like any failed sign-in, creating nobody', async (_case, typed) => {
    const before = await state();

    const outcome = await outcomeOf(stack.signIn(typed, PASSWORD));

    expect(outcome).toMatchObject({ ok: false });
    expect(await state()).toEqual(before);
  });

  it('refuses to migrate a source user with an attribute over Cognito’s 2048-character limit, creating nobody', async () => {
    const before = await state();

    const outcome = await outcomeOf(stack.signIn('longbio', PASSWORD));

    expect(outcome).toMatchObject({ ok: false });
    expect((await state()).target).toEqual(before.target);
  });

  it.each([
    ['an unknown action', { action: 'delete-everything' }],
    ['a negative limit', { action: 'reset-campaign', limit: -1 }],
    ['a string dryRun', { action: 'reconcile', dryRun: 'yes' }],
  ])(
    'rejects a reconcile event with %s as InvalidInputError before touching anything',
    async (_case, event) => {
      const before = await state();
      const deps = stack.functions.reconcileDeps();

      const outcome = await outcomeOf(reconcileDispatch(event, deps));
      deps.source.destroy();
      deps.target.destroy();

      expect(outcome).toMatchObject({ ok: false, name: 'InvalidInputError' });
      expect(await state()).toEqual(before);
    },
  );

  it.each([
    ['an unknown task', { task: 'drop-table' }],
    [
      'a resume of a run that never existed',
      { task: 'start', input: { resumeRunId: 'nope' }, executionName: 'x' },
    ],
    ['an input field bulk-sync does not know', { task: 'start', input: { shards: 99 }, executionName: 'y' }],
  ])('rejects a bulk-export task with %s by a named error, changing nothing', async (_case, event) => {
    const before = await state();

    const outcome = await outcomeOf(stack.functions.bulkExport(event));

    expect(outcome).toMatchObject({
      ok: false,
      name: expect.stringMatching(/^(InvalidInputError|RunNotFoundError)$/),
    });
    expect(await state()).toEqual(before);
  });

  it.each([
    ['bad JSON', { COGNITO_MIGRATE_CONFIG: '{"source": ' }],
    [
      'a pool id that is not one',
      { COGNITO_MIGRATE_CONFIG: JSON.stringify({ source: { userPoolId: 'pool' } }) },
    ],
  ])('names the problem of an invalid configuration (%s) as ConfigError', (_case, env) => {
    expect(() => loadConfig(env)).toThrow(expect.objectContaining({ name: 'ConfigError' }));
  });

  it('lists every bad field of a configuration in one ConfigError', () => {
    expect(() =>
      parseConfig({ source: { userPoolId: 'x' }, target: {}, tableName: '!', triggerDeadlineMs: 9000 }),
    ).toThrow(/source\.userPoolId[\s\S]*target\.userPoolId[\s\S]*tableName[\s\S]*triggerDeadlineMs/);
  });
});
