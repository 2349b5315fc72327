import { ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { getProgress } from '#shared/table/progress';
import { getCheckpoint, getRun } from '#shared/table/runs';
import { getUser, recordMigrated } from '#shared/table/users';
import { exportUsers } from '../../../functions/bulk-export/export-users';
import { finishSync } from '../../../functions/bulk-export/finish';
import { aConfig, aListedUser, fakeDeps, openRun, subWith, useOpenRunTable } from './fakes';

const local = useOpenRunTable();

const scoped = aConfig({ migrationScope: { attribute: 'custom:tenant', values: ['acme'] } });
const input = { runId: 'run-1', shard: 'a', workers: 1, budgetMs: 60_000 };
const tenantUser = (n: number, tenant: string | undefined, username = `user-${tenant}-${n}`) =>
  aListedUser(subWith('a', n), { username, attributes: tenant ? { 'custom:tenant': tenant } : {} });
const finishInput = (runId = 'run-1') => ({
  runId,
  execution: runId,
  shards: ['a'],
  budgetMs: 60_000,
  state: { seen: 0, sourceDeleted: 0 },
});

describe('bulk sync with a migration scope', () => {
  it('snapshots only in-scope users and counts the others out of scope, never writing them', async () => {
    const { deps, sourceMock } = fakeDeps(local.table, scoped);
    sourceMock.on(ListUsersCommand).resolves({
      Users: [tenantUser(1, 'acme'), tenantUser(2, 'globex'), tenantUser(3, undefined, 'untagged')],
    });

    const result = await exportUsers(input, deps);

    expect(result).toMatchObject({ done: true, counted: 1, outOfScope: 2 });
    expect(await getUser(local.table, 'user-acme-1')).toMatchObject({ status: 'PENDING' });
    expect(await getUser(local.table, 'user-globex-2')).toBeUndefined();
    expect(await getUser(local.table, 'untagged')).toBeUndefined();
    expect(await getCheckpoint(local.table, 'run-1', 'users#a')).toMatchObject({ seen: 1, outOfScope: 2 });
    expect(await getProgress(local.table)).toMatchObject({ total: 1, byStatus: { PENDING: 1 } });
  });

  it('counts out-of-scope users once when a page is replayed after a crash', async () => {
    const { deps, sourceMock } = fakeDeps(local.table, scoped);
    sourceMock.on(ListUsersCommand).resolves({ Users: [tenantUser(1, 'acme'), tenantUser(2, 'globex')] });
    await exportUsers(input, deps);

    const replay = await exportUsers(input, deps);

    expect(replay).toMatchObject({ done: true, counted: 0 });
    expect(await getCheckpoint(local.table, 'run-1', 'users#a')).toMatchObject({ seen: 1, outOfScope: 1 });
  });

  it('without a scope snapshots every user and counts none out of scope', async () => {
    const { deps, sourceMock } = fakeDeps(local.table);
    sourceMock.on(ListUsersCommand).resolves({ Users: [tenantUser(1, 'acme'), tenantUser(2, 'globex')] });

    const result = await exportUsers(input, deps);

    expect(result).toEqual({ done: true, counted: 2, pages: 1 });
    const checkpoint = await getCheckpoint(local.table, 'run-1', 'users#a');
    expect(checkpoint).toMatchObject({ seen: 2 });
    expect(checkpoint).not.toHaveProperty('outOfScope');
  });

  it('passes the integrity check and records the out-of-scope count in the run, marking none SOURCE_DELETED', async () => {
    const { deps, sourceMock } = fakeDeps(local.table, scoped);
    sourceMock
      .on(ListUsersCommand)
      .resolves({ Users: [tenantUser(1, 'acme'), tenantUser(2, 'globex'), tenantUser(3, 'globex')] });
    await exportUsers(input, deps);

    const result = await finishSync(finishInput(), deps);

    expect(result.summary).toMatchObject({ users: 1, outOfScope: 2, sourceDeleted: 0 });
    expect(await getRun(local.table, 'run-1')).toMatchObject({ counts: { users: 1, outOfScope: 2 } });
  });

  it('marks a not-yet-migrated user who left the scope OUT_OF_SCOPE, not SOURCE_DELETED', async () => {
    const { deps, sourceMock } = fakeDeps(local.table, scoped);
    sourceMock.on(ListUsersCommand).resolves({ Users: [tenantUser(1, 'acme', 'mover')] });
    await exportUsers(input, deps);
    await finishSync(finishInput(), deps);
    await openRun(local.table, 'run-2');
    sourceMock.on(ListUsersCommand).resolves({ Users: [tenantUser(1, 'globex', 'mover')] });

    await exportUsers({ ...input, runId: 'run-2' }, deps);
    const result = await finishSync(finishInput('run-2'), deps);

    expect(result.summary).toMatchObject({ users: 0, outOfScope: 1, sourceDeleted: 0 });
    expect(await getUser(local.table, 'mover')).toMatchObject({
      status: 'OUT_OF_SCOPE',
      reason: 'LEFT_SCOPE',
      attributes: expect.objectContaining({ 'custom:tenant': 'globex' }),
    });
    expect((await getProgress(local.table)).byStatus).toMatchObject({ PENDING: 0, OUT_OF_SCOPE: 1 });
  });

  it('leaves a migrated user who left the scope MIGRATED (the migrator never removes a target user)', async () => {
    const { deps, sourceMock } = fakeDeps(local.table, scoped);
    sourceMock.on(ListUsersCommand).resolves({ Users: [tenantUser(1, 'acme', 'moved')] });
    await exportUsers(input, deps);
    await recordMigrated(local.table, 'moved', { method: 'password', targetUsername: 'moved' });
    await finishSync(finishInput(), deps);
    await openRun(local.table, 'run-2');
    sourceMock.on(ListUsersCommand).resolves({ Users: [tenantUser(1, 'globex', 'moved')] });

    await exportUsers({ ...input, runId: 'run-2' }, deps);
    await finishSync(finishInput('run-2'), deps);

    expect(await getUser(local.table, 'moved')).toMatchObject({ status: 'MIGRATED' });
  });

  it('brings a user back to PENDING when they return to the scope', async () => {
    const { deps, sourceMock } = fakeDeps(local.table, scoped);
    sourceMock.on(ListUsersCommand).resolves({ Users: [tenantUser(1, 'acme', 'back')] });
    await exportUsers(input, deps);
    sourceMock.on(ListUsersCommand).resolves({ Users: [tenantUser(1, 'globex', 'back')] });
    await openRun(local.table, 'run-2');
    await exportUsers({ ...input, runId: 'run-2' }, deps);
    expect(await getUser(local.table, 'back')).toMatchObject({ status: 'OUT_OF_SCOPE' });
    sourceMock.on(ListUsersCommand).resolves({ Users: [tenantUser(1, 'acme', 'back')] });

    await openRun(local.table, 'run-3');
    await exportUsers({ ...input, runId: 'run-3' }, deps);

    expect(await getUser(local.table, 'back')).toMatchObject({ status: 'PENDING' });
    expect((await getProgress(local.table)).byStatus).toMatchObject({ PENDING: 1, OUT_OF_SCOPE: 0 });
  });
});
