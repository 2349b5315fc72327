import { ManualClock } from '#shared/clock';
import { getProgress } from '#shared/table/progress';
import { getUser } from '#shared/table/users';
import type { TableContext } from '#shared/table/context';
import { startCognitoEmulator, type CognitoEmulator } from '#local/cognito/index';
import { startLocalTables, type LocalTableHarness } from '../../support/local-table';
import { createPools, seedSource, sourceUsers, syncEnvironment, tableUsers } from './harness';

/**
 * The bulk-sync state machine with a migration scope, through the real ASL, the emulator and
 * dynalite: the source holds 18 tenants (custom:tenant t0..t16 and the case twins), the target
 * takes t1 and t2.
 */
const scope = { attribute: 'custom:tenant', values: ['t1', 't2'] };

let tables: LocalTableHarness;
let emulator: CognitoEmulator;
let table: TableContext;
let pools: { source: string; target: string };

beforeAll(async () => {
  tables = await startLocalTables();
  const clock = new ManualClock(Date.UTC(2026, 10, 22, 13, 0));
  emulator = await startCognitoEmulator({ clock });
  table = await tables.newTable(clock);
  pools = await createPools(emulator);
  await seedSource(emulator, pools.source, 400);
});
afterAll(async () => {
  await emulator.close();
  await tables.close();
});

const tenantOf = (username: string) =>
  sourceUsers(emulator, pools.source).get(username)?.attributes['custom:tenant'];
const inScopeNames = () =>
  [...sourceUsers(emulator, pools.source)]
    .filter(([, u]) => scope.values.includes(u.attributes['custom:tenant']!))
    .map(([name]) => name);
const expectCountersMatchStatuses = async () => {
  const perStatus: Record<string, number> = {};
  for (const user of await tableUsers(table)) perStatus[user.status] = (perStatus[user.status] ?? 0) + 1;
  const { byStatus } = await getProgress(table);
  for (const [status, count] of Object.entries(byStatus))
    expect([status, count]).toEqual([status, perStatus[status] ?? 0]);
};

describe('bulk-sync state machine with a migration scope', () => {
  it('snapshots exactly the in-scope users and counts the others out of scope', async () => {
    const env = syncEnvironment(emulator, tables, table, pools, new ManualClock(Date.now()), {
      migrationScope: scope,
    });
    const expected = inScopeNames();

    const result = await env.run({ maxConcurrency: 4 });

    expect(result.error).toBeUndefined();
    expect(result.output).toMatchObject({
      users: expected.length,
      outOfScope: 400 - expected.length,
      sourceDeleted: 0,
    });
    expect((await tableUsers(table)).map((u) => u.username).sort()).toEqual(expected.sort());
    expect((await getProgress(table)).total).toBe(expected.length);
  }, 90_000);

  it('on the next run marks users who left the scope OUT_OF_SCOPE and only deleted ones SOURCE_DELETED', async () => {
    const env = syncEnvironment(emulator, tables, table, pools, new ManualClock(Date.now()), {
      migrationScope: scope,
    });
    const [moverA, moverB, deleted, kept] = inScopeNames().sort();
    for (const mover of [moverA!, moverB!]) {
      await emulator.call('AdminUpdateUserAttributes', {
        UserPoolId: pools.source,
        Username: mover,
        UserAttributes: [{ Name: 'custom:tenant', Value: 't9' }],
      });
    }
    await emulator.call('AdminDeleteUser', { UserPoolId: pools.source, Username: deleted });
    expect(tenantOf(moverA!)).toBe('t9');

    const result = await env.run({ maxConcurrency: 4 });

    expect(result.error).toBeUndefined();
    expect(result.output).toMatchObject({ sourceDeleted: 1, outOfScope: 399 - inScopeNames().length });
    expect(await getUser(table, moverA!)).toMatchObject({ status: 'OUT_OF_SCOPE', reason: 'LEFT_SCOPE' });
    expect(await getUser(table, moverB!)).toMatchObject({ status: 'OUT_OF_SCOPE' });
    expect(await getUser(table, deleted!)).toMatchObject({ status: 'SOURCE_DELETED' });
    expect(await getUser(table, kept!)).toMatchObject({ status: 'PENDING' });
    await expectCountersMatchStatuses();
  }, 90_000);
});
